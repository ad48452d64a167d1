"""What route functions receive: the components built once at start-up."""

from typing import Annotated

from fastapi import Depends, Request

from service.components import Components


def get_components(request: Request) -> Components:
    return request.app.state.components


ComponentsDep = Annotated[Components, Depends(get_components)]
