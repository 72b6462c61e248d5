"""Whether the mails NCloud holds for one request are exactly the mails a :class:`Mail` makes.

The mailer expands a request into one mail per recipient (or one for all of them when
``individual`` is false) with ``${key}`` replaced: a recipient's parameters override the
mail's, and a placeholder without a value stays as written. getMail shows each mail's title,
body, recipients with their types, and ``referencesHeader``; this module compares them with
what the mail renders to.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from harness.mail._models import Mail, ParameterValue, Recipient
from harness.mail._responses import MailDetail

__all__ = ["carries", "render"]

_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
_UNSUBSCRIBE_MARK = "#{UNSUBSCRIBE_MESSAGE}"


def render(mail: Mail, recipient: Recipient | None) -> tuple[str, str]:
    """The title and body ``recipient`` receives (``None``: a member of a recipient group)."""
    values: dict[str, ParameterValue] = {**(mail.parameters or {})}
    if recipient is not None and recipient.parameters:
        values.update(recipient.parameters)

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        return str(values[key]) if key in values else match.group(0)

    return _PLACEHOLDER.sub(replace, mail.title or ""), _PLACEHOLDER.sub(replace, mail.body or "")


def _key(address: str, kind: str | None) -> tuple[str, str]:
    return address.casefold(), kind or "R"


def carries(details: Sequence[MailDetail], mail: Mail) -> bool:
    """Whether ``details`` (every mail of one request) are exactly what ``mail`` makes.

    Compared: the recipients with their types, as many times each as in the mail (a
    recipient group may add recipients of type R); the names given; the sender; the
    template; the ``referencesHeader`` when the mail sets one; and, unless a template gives
    them, each mail's title and body, which must be the mail's rendered for one of that
    mail's recipients. Advertising mail may carry the mailer's unsubscribe text in the body
    and a notice in the title, so only those two are compared with room for that.
    """
    if not details:
        return False
    wanted = Counter(_key(r.address, r.type) for r in mail.recipients)
    found = Counter(_key(r.address, r.type) for d in details for r in d.recipients)
    if mail.recipient_group_filter is None:
        if found != wanted:
            return False
    else:
        extra = found - wanted
        if wanted - found or any(kind != "R" for _, kind in extra):
            return False
    by_key: dict[tuple[str, str], Recipient] = {}
    for recipient in mail.recipients:
        by_key.setdefault(_key(recipient.address, recipient.type), recipient)
    return all(_same_mail(detail, mail, by_key) for detail in details)


def _same_mail(detail: MailDetail, mail: Mail, by_key: Mapping[tuple[str, str], Recipient]) -> bool:
    if mail.references_header is not None and detail.references_header != mail.references_header:
        return False
    if mail.template_sid is not None and detail.template_sid not in (None, mail.template_sid):
        return False
    if mail.sender_address is not None and detail.sender_address not in (
        None,
        mail.sender_address,
    ):
        return False
    options: list[tuple[str, str]] = []
    for result in detail.recipients:
        recipient = by_key.get(_key(result.address, result.type))
        if recipient is not None and recipient.name is not None and result.name != recipient.name:
            return False
        options.append(render(mail, recipient))
    if mail.template_sid is not None and mail.title is None and mail.body is None:
        return True  # the template's title and body are not known here
    if not options:
        options.append(render(mail, None))
    return any(_same_text(option, detail, mail) for option in options)


def _same_text(rendered: tuple[str, str], detail: MailDetail, mail: Mail) -> bool:
    title, body = rendered
    got_title, got_body = detail.title or "", detail.body or ""
    if not mail.advertising:
        return (got_title, got_body) == (title, body)
    if title not in got_title:
        return False
    if not mail.use_basic_unsubscribe_msg and mail.unsubscribe_message:
        message = mail.unsubscribe_message
        if _UNSUBSCRIBE_MARK in body:
            exact = body.replace(_UNSUBSCRIBE_MARK, message)
        else:
            exact = body + message
        return got_body == exact
    head, _, tail = body.partition(_UNSUBSCRIBE_MARK)
    return got_body.startswith(head) and got_body.endswith(tail)
