"""Other articles in the archive that may answer the news questions, printed for judging.

Many stories in bbc_news and realtimeqa_articles were reported by several outlets, or by one
outlet several times, and any of those articles may answer a question written from one of
them. Scoring only the article a question was written from would count finding another that
answers it as a miss. This pools, for each answerable question, every other article holding a
gold answer string (as a whole word, normalised) with at least half of the question's content
words within `--window` characters of it; a person then reads each printed passage and keeps,
in the question's `also_answered_by`, the articles that state the asked-for fact about the
same thing. The pool is built from the data alone, not from any system's rankings.

    .venv/bin/python bench/questions/pool_answering_articles.py > pool.txt
"""

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from eval_answers import DATA, QUESTIONS, normalised, read_jsonl

FUNCTION_WORDS = set(
    re.findall(
        r"\w+",
        """a an the of in on at to for by with from and or as is was were are be been did do does
        what which who whom whose when where how many much why that this these those it its their
        his her they he she after before during about into over under than then has have had
        will would could should said say says according year years""",
    )
)


def content_words(question: str) -> set[str]:
    return {w for w in normalised(question).split() if w not in FUNCTION_WORDS and len(w) > 2}


def pooled(question: dict, articles: dict[str, str], window: int) -> list[str]:
    """Ids of the articles, other than the question's own, holding a gold answer with at least
    half of the question's content words (two at least) around it."""
    words = content_words(question["question"])
    needed = max(2, round(0.5 * len(words)))
    answers = [re.compile(rf"(?<!\w){re.escape(normalised(a))}(?!\w)") for a in question["answers"]]
    found = []
    for article_id, text in articles.items():
        if article_id in question["article_ids"]:
            continue
        spans = [m.span() for answer in answers for m in answer.finditer(text)]
        if any(
            len(words & set(text[max(0, start - window) : end + window].split())) >= needed
            for start, end in spans
        ):
            found.append(article_id)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=int, default=300, help="characters either side")
    args = parser.parse_args()
    records = {
        r["id"]: r
        for name in ("bbc_news", "realtimeqa_articles")
        for r in read_jsonl(DATA / name / "articles.jsonl")
    }
    articles = {i: normalised(f"{r['title'] or ''} {r['text']}") for i, r in records.items()}
    for question in read_jsonl(QUESTIONS):
        if not question["answerable"]:
            continue
        pool = pooled(question, articles, args.window)
        if not pool:
            continue
        print(f"\n=== {question['id']} [{question['split']}] {question['question']}")
        print(f"    answers: {question['answers']}")
        for article_id in pool:
            record = records[article_id]
            text = record["text"]
            at = next(
                (
                    m.start()
                    for answer in question["answers"]
                    for m in re.finditer(re.escape(answer), text, re.IGNORECASE)
                ),
                0,
            )
            passage = " ".join(text[max(0, at - 260) : at + 160].split())
            print(f"--- {article_id} | {record['title'] or ''} | {record['date']}\n    {passage}")


if __name__ == "__main__":
    main()
