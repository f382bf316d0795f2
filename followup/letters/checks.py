"""Letter checks: an owner's edited template when saved, every default template, a draft.

``check_override`` lists what is wrong with an owner's edit before it is stored (syntax,
unknown variables, includes, missing blocks, a test letter that fails); ``check_defaults``
renders the shipped templates against the sample contexts and holds each letter to its
length, with no template code and no "None" left in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import jinja2
from jinja2 import meta, nodes

from followup.errors import Invalid
from followup.letters.address import check_letter
from followup.letters.phrases import MIN_VARIANTS, PhraseError, Phrasing
from followup.letters.rendering import (
    CONTEXT_VARIABLES,
    KINDS,
    MAX_OVERRIDE_CHARS,
    MAX_WORDS,
    MIN_WORDS,
    TEMPLATE_LOCALES,
    THANK_YOU_OCCASIONS,
    Draft,
    TemplateError,
    check_names,
    phrases_for,
    render,
    sandbox_env,
)
from followup.letters.samples import sample_contexts


def word_count(text: str) -> int:
    """Words as a reader counts them: tokens with a letter or a digit."""
    return sum(1 for token in text.split() if any(ch.isalnum() for ch in token))


def lint_draft(draft: Draft) -> list[str]:
    """What would give a rendered letter away as a template."""
    problems = []
    if not draft.subject:
        problems.append("the subject is empty")
    if not draft.text:
        problems.append("the letter is empty")
    for leftover in ("{{", "}}", "{%", "%}"):
        if leftover in draft.subject or leftover in draft.text:
            problems.append(f"the letter shows template code {leftover!r}")
    return problems


def check_override(kind: str, tlocale: str, source: str, sample: Mapping[str, Any]) -> list[str]:
    """Problems with an owner's edited template, in words; an empty list means it is fine."""
    check_names(kind, tlocale)
    if len(source) > MAX_OVERRIDE_CHARS:
        return [f"the template has {len(source):,} characters; the limit is {MAX_OVERRIDE_CHARS:,}"]
    try:
        tree = sandbox_env(tlocale).parse(source)
        # Compiling to find the variables also finds an unknown filter or test.
        undeclared = meta.find_undeclared_variables(tree)
    except jinja2.TemplateSyntaxError as exc:
        return [f"line {exc.lineno}: {exc.message}"]
    problems = [
        f"unknown variable {name!r}: a letter can use {', '.join(CONTEXT_VARIABLES)}"
        for name in sorted(undeclared - set(CONTEXT_VARIABLES))
    ]
    for included in meta.find_referenced_templates(tree):
        if included is None or not included.endswith("/_signature.j2"):
            problems.append(f"an edited letter can include only a signature, not {included!r}")
    blocks = {block.name for block in tree.find_all(nodes.Block)}
    problems += [
        f"the template has no {{% block {block} %}}"
        for block in ("subject", "body")
        if block not in blocks
    ]
    if problems:
        return problems
    # The owner's sample, then ours: the bare ones have no phone, company, item or
    # compensation, which is where an edit forgets an {% if %}.
    for context in (sample, *sample_contexts(kind, tlocale)):
        try:
            draft = render(kind, tlocale, context, source=source)
        except TemplateError as exc:
            message = f"the test letter failed: {exc}"
        else:
            message = "; ".join(lint_draft(draft))
        if message and message not in problems:
            problems.append(message)
    return problems


def check_phrases() -> list[str]:
    """Every phrase file (``phrases``): readable, at least ``MIN_VARIANTS`` variants of each
    part, and each variant, in a letter of every sample, rendered without a template
    error, a flag from the checks of the owner's words, or a length out of bounds."""
    problems = []
    for kind in KINDS:
        for tlocale in TEMPLATE_LOCALES:
            for context in sample_contexts(kind, tlocale):
                occasion = str(context.get("occasion") or kind)
                try:
                    section = phrases_for(kind, tlocale, occasion)
                except PhraseError as exc:
                    problems.append(str(exc))
                    continue
                where = f"{tlocale}/phrases/{kind}.toml [{occasion}]"
                for part, variants in section.items():
                    if len(variants) < MIN_VARIANTS:
                        problem = (
                            f"{where} {part}: {len(variants)} variant(s); write {MIN_VARIANTS}+"
                        )
                        if problem not in problems:
                            problems.append(problem)
                    for index in range(len(variants)):
                        label = f"{where} {part} #{index + 1}"
                        problems += _check_variant(kind, tlocale, context, part, index, label)
    return list(dict.fromkeys(problems))


def _check_variant(
    kind: str, tlocale: str, context: Mapping[str, Any], part: str, index: int, label: str
) -> list[str]:
    try:
        draft = render(
            kind, tlocale, context, phrasing=Phrasing(ordinal=index, fixed={part: index})
        )
    except Invalid as exc:
        return [f"{label}: {exc}"]
    problems = [
        f"{label}: “{flag.sentence}”: {flag.reason}"
        for flag in check_letter(draft.subject, draft.text, tlocale)
    ]
    words = word_count(draft.text)
    if not MIN_WORDS <= words <= MAX_WORDS:
        client = getattr(context.get("client"), "name", "?")
        problems.append(
            f"{label}: {words} words for {client}; a letter has {MIN_WORDS}–{MAX_WORDS}"
        )
    return problems


def check_defaults(samples: Iterable[Mapping[str, Any]] | None = None) -> list[str]:
    """Render every default template against sample contexts; the problems found.

    Without ``samples``, each kind and tlocale uses ``sample_contexts``. A given sample
    is rendered in every tlocale for the kind its ``occasion`` names.
    """
    cases: list[tuple[str, str, Mapping[str, Any]]] = []
    if samples is None:
        cases = [
            (kind, tlocale, context)
            for kind in KINDS
            for tlocale in TEMPLATE_LOCALES
            for context in sample_contexts(kind, tlocale)
        ]
    else:
        for context in samples:
            occasion = context.get("occasion")
            kind = "thank_you" if occasion in THANK_YOU_OCCASIONS else str(occasion)
            cases += [(kind, tlocale, context) for tlocale in TEMPLATE_LOCALES]
    problems = []
    for kind, tlocale, context in cases:
        client = getattr(context.get("client"), "name", "?")
        label = f"{tlocale}/{kind}.j2 ({context.get('occasion', kind)}, {client})"
        try:
            draft = render(kind, tlocale, context)
        except Invalid as exc:  # a template error, or an unknown kind or locale
            problems.append(f"{label}: {exc}")
            continue
        words = word_count(draft.text)
        if not MIN_WORDS <= words <= MAX_WORDS:
            problems.append(f"{label}: {words} words; a letter has {MIN_WORDS}–{MAX_WORDS}")
        problems += [f"{label}: {problem}" for problem in lint_draft(draft)]
        if re.search(r"\b(None|undefined)\b", f"{draft.subject}\n{draft.text}"):
            problems.append(f"{label}: the letter shows 'None' or 'undefined'")
    return problems
