"""Model providers behind one small interface, and the errors the engine acts on.

Both providers call the model with a forced tool call whose input schema is the answer
schema, and hand back the tool input as a plain dict plus token usage. SDK retries are off
(``max_retries=0``): :func:`call_with_retries` retries 429/529/5xx itself, honouring
``retry-after`` up to a cap, so a server asking for an hour's pause cannot hang a review,
and cancellation stays in the engine's hands.

The SDKs are imported when a provider is created, not with this module: importing both takes
seconds, and a server without a key must start (and answer) without paying for them.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from expert_lsp.config import ExpertSettings
from expert_lsp.expert.prompt import ModelRequest
from expert_lsp.expert.schema import TOOL_DESCRIPTION, TOOL_NAME

if TYPE_CHECKING:
    import anthropic
    import openai


class ProviderError(Exception):
    """A request failed; the message is meant for the user."""


class AuthError(ProviderError):
    """The key was rejected (401/403): the engine stops until settings change."""


class RetryableError(ProviderError):
    """Rate limited, overloaded or a server error: worth another try later."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UnavailableError(ProviderError):
    """Timeouts and network errors: the engine degrades to rules only."""


class BadAnswerError(ProviderError):
    """The model did not answer through the tool, or its JSON is unusable."""


@dataclass(frozen=True, slots=True)
class Usage:
    """Tokens of one request as the provider reports them."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0

    @property
    def total(self) -> int:
        """Tokens that count against the budget."""
        return (
            self.input_tokens
            + self.output_tokens
            + self.cache_read_tokens
            + self.cache_write_tokens
        )


@dataclass(frozen=True, slots=True)
class ModelReply:
    """The tool input the model produced, and what it cost."""

    answer: dict[str, Any]
    usage: Usage


class Provider(Protocol):
    """A model endpoint."""

    name: str
    model: str

    async def complete(self, request: ModelRequest) -> ModelReply:
        """Send ``request``; raises a :class:`ProviderError` subclass on failure."""

    async def aclose(self) -> None:
        """Release the HTTP client."""


def _retry_after(headers: Any) -> float | None:
    """Seconds from ``retry-after-ms`` or ``retry-after`` (seconds) headers, if present."""
    if headers is None:
        return None
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is not None:
            try:
                return max(0.0, float(value) * scale)
            except ValueError:
                continue
    return None


def _status_error(status: int, message: str, headers: Any) -> ProviderError:
    if status in {401, 403}:
        return AuthError(f"the model provider rejected the API key ({status}): {message}")
    if status in {408, 409, 429, 529} or status >= 500:
        return RetryableError(f"model provider error {status}: {message}", _retry_after(headers))
    return ProviderError(f"model provider error {status}: {message}")


def _parse_tool_input(raw: Any) -> dict[str, Any]:
    """Tool input arrives as a dict (Anthropic) or a JSON string (OpenAI-compatible)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as error:
            raise BadAnswerError(f"the model's answer is not valid JSON ({error})") from error
    if not isinstance(raw, dict):
        raise BadAnswerError("the model's answer is not a JSON object")
    return raw


class AnthropicProvider:
    """The Messages API through the official SDK."""

    name = "anthropic"

    def __init__(self, settings: ExpertSettings, api_key: str) -> None:
        import anthropic

        self.model = settings.model
        self._client: anthropic.AsyncAnthropic = anthropic.AsyncAnthropic(
            api_key=api_key,
            base_url=settings.base_url,
            timeout=settings.timeout_s,
            max_retries=0,
        )

    async def complete(self, request: ModelRequest) -> ModelReply:
        """One forced ``report`` tool call; the persona and instructions are cached."""
        import anthropic

        try:
            message = await self._client.messages.create(
                model=self.model,
                max_tokens=request.max_tokens,
                system=[
                    {"type": "text", "text": request.persona.prompt},
                    {
                        "type": "text",
                        "text": request.instructions,
                        "cache_control": {"type": "ephemeral"},
                    },
                ],
                messages=[{"role": "user", "content": request.message.text}],
                tools=[
                    {
                        "name": TOOL_NAME,
                        "description": TOOL_DESCRIPTION,
                        "input_schema": request.schema,
                    }
                ],
                tool_choice={"type": "tool", "name": TOOL_NAME},
            )
        except anthropic.APIStatusError as error:
            raise _status_error(
                error.status_code, str(error.message), error.response.headers
            ) from error
        except anthropic.APITimeoutError as error:
            raise UnavailableError("the model request timed out") from error
        except anthropic.APIConnectionError as error:
            raise UnavailableError(f"cannot reach the model provider ({error})") from error
        except (anthropic.APIError, ValueError) as error:  # e.g. a body that is not JSON
            raise BadAnswerError(f"unusable reply from the model provider ({error})") from error
        usage = message.usage
        spent = Usage(
            usage.input_tokens,
            usage.output_tokens,
            usage.cache_read_input_tokens or 0,
            usage.cache_creation_input_tokens or 0,
        )
        if message.stop_reason == "max_tokens":
            raise BadAnswerError("the model's answer was cut at the output token limit")
        for block in message.content:
            if block.type == "tool_use" and block.name == TOOL_NAME:
                return ModelReply(_parse_tool_input(block.input), spent)
        raise BadAnswerError("the model answered without calling the report tool")

    async def aclose(self) -> None:
        """Close the SDK's HTTP client."""
        await self._client.close()


class OpenAICompatibleProvider:
    """Chat completions with a forced function call (Ollama, llama.cpp, vLLM...)."""

    name = "openai"

    def __init__(self, settings: ExpertSettings, api_key: str) -> None:
        import openai

        self.model = settings.model
        self._client: openai.AsyncOpenAI = openai.AsyncOpenAI(
            # Local servers need no key, but the SDK insists on one.
            api_key=api_key or "unused",
            base_url=settings.base_url,
            timeout=settings.timeout_s,
            max_retries=0,
        )

    async def complete(self, request: ModelRequest) -> ModelReply:
        """One forced ``report`` function call; a JSON reply in the text is accepted too."""
        import openai

        try:
            completion = await self._client.chat.completions.create(
                model=self.model,
                max_tokens=request.max_tokens,
                messages=[
                    {
                        "role": "system",
                        "content": f"{request.persona.prompt}\n\n{request.instructions}",
                    },
                    {"role": "user", "content": request.message.text},
                ],
                tools=[
                    {
                        "type": "function",
                        "function": {
                            "name": TOOL_NAME,
                            "description": TOOL_DESCRIPTION,
                            "parameters": request.schema,
                        },
                    }
                ],
                tool_choice={"type": "function", "function": {"name": TOOL_NAME}},
            )
        except openai.APIStatusError as error:
            raise _status_error(
                error.status_code, str(error.message), error.response.headers
            ) from error
        except openai.APITimeoutError as error:
            raise UnavailableError("the model request timed out") from error
        except openai.APIConnectionError as error:
            raise UnavailableError(f"cannot reach the model endpoint ({error})") from error
        except (openai.APIError, ValueError) as error:
            raise BadAnswerError(f"unusable reply from the model endpoint ({error})") from error
        usage = completion.usage
        details = usage.prompt_tokens_details if usage is not None else None
        cached = (details.cached_tokens or 0) if details is not None else 0
        spent = Usage(
            (usage.prompt_tokens - cached) if usage is not None else 0,
            usage.completion_tokens if usage is not None else 0,
            cached,
        )
        if not completion.choices:
            raise BadAnswerError("the model endpoint returned no choices")
        choice = completion.choices[0]
        if choice.finish_reason == "length":
            raise BadAnswerError("the model's answer was cut at the output token limit")
        for call in choice.message.tool_calls or []:
            function = getattr(call, "function", None)
            if function is not None and function.name == TOOL_NAME:
                return ModelReply(_parse_tool_input(function.arguments), spent)
        content = (choice.message.content or "").strip().removeprefix("```json").strip("`\n ")
        if content:
            return ModelReply(_parse_tool_input(content), spent)
        raise BadAnswerError("the model answered without calling the report function")

    async def aclose(self) -> None:
        """Close the SDK's HTTP client."""
        await self._client.close()


def make_provider(settings: ExpertSettings, environ: dict[str, str] | None = None) -> Provider:
    """The provider the settings name; raises :class:`AuthError` when a needed key is absent."""
    env = os.environ if environ is None else environ
    api_key = env.get(settings.api_key_env, "")
    if settings.provider == "anthropic":
        if not api_key:
            raise AuthError(
                f"no API key: set {settings.api_key_env} in the environment of the server "
                "(keys are never read from settings files)"
            )
        return AnthropicProvider(settings, api_key)
    if settings.provider == "openai":
        return OpenAICompatibleProvider(settings, api_key)
    raise ProviderError("the expert engine is off (provider: none)")


async def call_with_retries(
    call: Callable[[], Awaitable[ModelReply]],
    *,
    max_retries: int,
    max_wait_s: float = 60.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> ModelReply:
    """Run ``call``, retrying :class:`RetryableError` with ``retry-after`` or backoff.

    A ``retry-after`` longer than ``max_wait_s`` is not waited for: the error is raised at
    once so the caller can report the rate limit instead of hanging.
    """
    attempt = 0
    while True:
        try:
            return await call()
        except RetryableError as error:
            if attempt >= max_retries:
                raise
            delay = error.retry_after
            if delay is None:
                delay = min(max_wait_s, 0.5 * 2**attempt) * (0.75 + random.random() / 2)
            if delay > max_wait_s:
                raise
            await sleep(delay)
            attempt += 1
