"""The base of the request models, and the translation of pydantic's errors into ours.

A request model is frozen, refuses unknown fields and speaks camelCase on the wire. When
one fails to construct or validate, the pydantic ``ValidationError`` becomes a
:class:`~harness.mail.MailValidationError` (or :class:`~harness.mail.MailLimitError` when
the first problem is a broken limit) that names each field by its JSON path, such as
``recipients[3].address``, and never echoes the input.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel
from typing_extensions import Self

from harness.mail._checks import LIMIT_ERROR
from harness.mail._errors import MailLimitError, MailValidationError

__all__ = ["validation_error"]

_VALIDATING: ContextVar[bool] = ContextVar("mail_model_validating", default=False)
_FIELD_NAMES: set[str] = set()
"""The fields of every request model: these are named in camelCase in an error's path."""


# Underscored though the models import it: the API reference shows it as their base class.
class _RequestModel(BaseModel):
    """Frozen, strict about unknown fields, camelCase on the wire, typed errors on failure."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, alias_generator=to_camel
    )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        _FIELD_NAMES.update(cls.model_fields)

    def __init__(self, /, **data: Any) -> None:
        if _VALIDATING.get():
            # A nested model: let pydantic merge the error into the outer one, with its path.
            super().__init__(**data)
            return
        token = _VALIDATING.set(True)
        try:
            super().__init__(**data)
        except ValidationError as error:
            raise validation_error(error) from None
        finally:
            _VALIDATING.reset(token)

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Self:
        """Validate ``obj`` (camelCase or snake_case keys), raising our typed errors."""
        token = _VALIDATING.set(True)  # nested models report their errors with their paths
        try:
            return super().model_validate(obj, **options)
        except ValidationError as error:
            raise validation_error(error) from None
        finally:
            _VALIDATING.reset(token)


def validation_error(error: ValidationError) -> MailValidationError:
    """Turn pydantic's error into ours, naming fields by JSON path and never echoing input."""
    problems: list[tuple[str, str]] = []
    limit: int | None = None
    for item in error.errors(include_url=False, include_input=False):
        context = item.get("ctx") or {}
        field = _json_path(item["loc"]) or str(context.get("field") or "mail")
        if context.get("key") is not None:
            field += f".{context['key']}"
        message = str(item["msg"]).removeprefix("Value error, ")
        problems.append((field, message))
        if item["type"] == LIMIT_ERROR and limit is None and len(problems) == 1:
            limit = int(context["limit"])
    field, message = problems[0]
    if limit is not None:
        return MailLimitError(field, message, problems, limit=limit)
    return MailValidationError(field, message, problems)


def _json_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
            continue
        name = to_camel(part) if part in _FIELD_NAMES else part
        path += f".{name}" if path else name
    return path
