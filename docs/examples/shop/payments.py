"""The payment provider's HTTP API."""

from __future__ import annotations

import logging
import time

import httpx
import requests

from shop.settings import payments_api_key, settings

logger = logging.getLogger(__name__)


class PaymentError(Exception):
    pass


def charge(order_id: int, amount_cents: int) -> str:
    """Charge an order; returns the provider's payment id."""
    # review: no timeout: a stuck provider hangs this worker forever.
    response = requests.post(
        f"{settings.payments_url}/charges",
        json={"order": order_id, "amount": amount_cents},
        headers={"Authorization": f"Bearer {payments_api_key}"},
    )
    try:
        response.raise_for_status()
    except requests.HTTPError as error:
        # review: the original error (status, body) is lost without `from error`.
        raise PaymentError(f"charge failed for order {order_id}")
    return str(response.json()["id"])


def refund(payment_id: str) -> None:
    """Refund a payment, retrying twice on connection errors."""
    for attempt in range(3):
        try:
            requests.post(
                f"{settings.payments_url}/refunds",
                json={"payment": payment_id},
                timeout=settings.payments_timeout_s,
            ).raise_for_status()
            return
        except requests.ConnectionError:
            logger.warning("refund %s: attempt %d failed", payment_id, attempt + 1)
            time.sleep(2**attempt)
    raise PaymentError(f"refund of {payment_id} failed")


async def payment_status(client: httpx.AsyncClient, payment_id: str) -> str:
    """The provider's status of a payment (clean: async client, timeout, errors chained)."""
    try:
        response = await client.get(
            f"{settings.payments_url}/charges/{payment_id}", timeout=settings.payments_timeout_s
        )
        response.raise_for_status()
    except httpx.HTTPError as error:
        raise PaymentError(f"status of {payment_id} unavailable") from error
    return str(response.json()["status"])
