"""Background worker: ships paid orders and keeps stock in sync with the warehouse."""

from __future__ import annotations

import asyncio
import logging
import signal

import httpx
from sqlalchemy import select

from shop.db import SessionLocal
from shop.models import Order
from shop.settings import settings

logger = logging.getLogger(__name__)


class Worker:
    """Runs its jobs every ``interval`` seconds until stopped."""

    def __init__(self, interval: float = settings.worker_interval_s) -> None:
        self.interval = interval
        self._stopping = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()

    def stop(self) -> None:
        self._stopping.set()

    def spawn(self, coroutine: asyncio.Future[None] | asyncio.Task[None]) -> None:
        """Keep a reference to background tasks until they finish (clean)."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def run(self) -> None:
        async with httpx.AsyncClient(base_url="http://warehouse.internal", timeout=10) as client:
            while not self._stopping.is_set():
                await self.ship_paid_orders(client)
                try:
                    await asyncio.wait_for(self._stopping.wait(), self.interval)
                except TimeoutError:
                    pass

    async def ship_paid_orders(self, client: httpx.AsyncClient) -> None:
        # review: a sync SQLAlchemy session inside a coroutine blocks the loop.
        with SessionLocal() as db:
            orders = db.scalars(select(Order).where(Order.status == "paid")).all()
            for order in orders:
                try:
                    response = await client.post("/shipments", json={"order": order.id})
                    response.raise_for_status()
                except httpx.HTTPError:
                    logger.exception("shipping order %s failed", order.id)
                    continue
                order.status = "shipped"
            db.commit()

    async def sync_stock(self, skus: list[str]) -> None:
        # review: one request per SKU, all at once, with no limit.
        await asyncio.gather(*(self.sync_one(sku) for sku in skus))

    async def sync_one(self, sku: str) -> None:
        # review: a new client (connection pool) for every call.
        async with httpx.AsyncClient() as client:
            try:
                response = await client.get(f"http://warehouse.internal/stock/{sku}", timeout=5)
                response.raise_for_status()
            except httpx.HTTPError as error:
                # review: logged without the traceback; use logger.exception.
                logger.error("stock sync of %s failed: %s", sku, error)


def main() -> None:
    worker = Worker()
    loop = asyncio.new_event_loop()
    loop.add_signal_handler(signal.SIGTERM, worker.stop)
    loop.run_until_complete(worker.run())


if __name__ == "__main__":
    main()
