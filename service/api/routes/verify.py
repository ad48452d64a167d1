from fastapi import APIRouter

from service.api.deps import ComponentsDep
from service.api.schemas import VerifyIn, VerifyOut

router = APIRouter(tags=["answers"])


@router.post("/verify")
def verify(body: VerifyIn, components: ComponentsDep) -> VerifyOut:
    """A text checked against the archive, sentence by sentence: supported (cited),
    contradicted (what differs, cited) or unsupported."""
    check = components.verifier.verify(body.text, k=body.k, selection=body.filters.selection())
    return VerifyOut.of(check)
