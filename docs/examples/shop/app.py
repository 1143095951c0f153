"""The application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from shop.db import Base, engine
from shop.routes import router
from shop.settings import settings


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    Base.metadata.create_all(engine)
    yield
    engine.dispose()


def create_app() -> FastAPI:
    app = FastAPI(title="shop", lifespan=lifespan)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.allowed_origins),
        allow_methods=["GET", "POST"],
    )
    app.include_router(router)
    return app


def create_debug_app() -> FastAPI:
    app = create_app()
    # review: any site may call the API with the user's cookies.
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
    return app


app = create_app()
