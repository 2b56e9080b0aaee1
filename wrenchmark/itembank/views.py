"""The item bank's pages: search, the editor with its live preview, an item's page, review and history."""

from __future__ import annotations

import difflib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wrenchmark.accounts.models import Role, User
from wrenchmark.catalog.selectors import edition_in_force
from wrenchmark.core.exceptions import ApplicationError, NotFound
from wrenchmark.itembank import services
from wrenchmark.itembank.access import access_bank, access_item_by_id
from wrenchmark.itembank.content import ExhibitSpec, ItemSpec, OptionSpec
from wrenchmark.itembank.display import DisplayExhibit, display_item, display_version
from wrenchmark.itembank.forms import (
    CommentForm,
    ItemEditorForm,
    ReviewForm,
    TransitionForm,
    TranslationForm,
    editor_initial,
)
from wrenchmark.itembank.linting import lint_item
from wrenchmark.itembank.markup import plain_text
from wrenchmark.itembank.models import Item, ItemState, ItemStyle, ItemVersion
from wrenchmark.itembank.selectors import bank_counts, item_search
from wrenchmark.itembank.svg import SvgRefused, sanitise_svg

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _bank_user(request: HttpRequest) -> User:
    try:
        access_bank(request.user)
    except NotFound:
        raise Http404 from None
    return _user(request)


def _item(request: HttpRequest, item_id: int) -> Item:
    try:
        return access_item_by_id(request.user, item_id)
    except NotFound:
        raise Http404 from None


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    _bank_user(request)
    filters = {
        key: request.GET.get(key, "").strip()
        for key in ("test", "area", "state", "style", "author", "language", "pool", "text")
    }
    items = item_search(**filters)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    edition = edition_in_force()
    counts = (
        bank_counts(edition=edition, test_code=filters["test"] or None)
        if filters["test"]
        else bank_counts(edition=edition)
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "itembank/list.html",
        {
            "page": page,
            "filters": filters,
            "counts": counts,
            "states": ItemState.choices,
            "styles": ItemStyle.choices,
            "tests": sorted(counts) if not filters["test"] else [filters["test"].upper()],
            "query": query.urlencode(),
            "total": page.paginator.count,
        },
    )


def _save(request: HttpRequest, item: Item | None) -> HttpResponse:
    user = _bank_user(request)
    if not (
        user.has_role(Role.ITEM_WRITER)
        or user.has_role(Role.ITEM_REVIEWER)
        or user.has_role(Role.PROGRAM_ADMIN)
    ):
        raise Http404
    edition = edition_in_force()
    current = item.current_version if item else None
    initial = (
        editor_initial(current)
        if current
        else {"test": request.GET.get("test") and _test_for(edition, request.GET["test"])}
    )
    form = ItemEditorForm(
        request.POST or None, request.FILES or None, initial=initial, edition=edition, current=current
    )
    if request.method == "POST" and form.is_valid():
        try:
            content = form.content(user)
            if item is None:
                item = services.item_create(
                    test=form.cleaned_data["test"],
                    pool=form.cleaned_data["pool"],
                    content=content,
                    acting_user=user,
                )
                messages.success(request, _("Draft %(id)s saved.") % {"id": item.external_id})
            else:
                services.item_update(
                    item=item, content=content, acting_user=user, change_note=form.cleaned_data["change_note"]
                )
                messages.success(request, _("Saved a new version of %(id)s.") % {"id": item.external_id})
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("itembank:detail", item_id=item.pk)
    return render(
        request,
        "itembank/editor.html",
        {
            "form": form,
            "item": item,
            "option_rows": _option_rows(form),
            "tech_ab_labels": ["A only", "B only", "Both A and B", "Neither A nor B"],
        },
        status=400 if form.errors else 200,
    )


def _test_for(edition: Any, code: str) -> Any:
    from wrenchmark.catalog.models import Test

    return Test.objects.filter(edition=edition, code__iexact=code).first()


def _option_rows(form: ItemEditorForm) -> list[dict[str, Any]]:
    return [
        {"letter": letter, "text": form[f"option_{i}"], "rationale": form[f"rationale_{i}"], "index": i}
        for i, letter in enumerate("ABCD")
    ]


@login_required
def item_new(request: HttpRequest) -> HttpResponse:
    return _save(request, None)


@login_required
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    if item.state == ItemState.RETIRED:
        messages.error(request, _("A retired item cannot be changed."))
        return redirect("itembank:detail", item_id=item.pk)
    return _save(request, item)


@login_required
@require_POST
def item_preview(request: HttpRequest) -> HttpResponse:
    """Render the editor's form as a candidate would see it, with the linter's findings, without saving."""
    _bank_user(request)
    data = request.POST
    style = data.get("style", "direct")
    if style == ItemStyle.TECH_AB:
        texts = ["A only", "B only", "Both A and B", "Neither A nor B"]
        codes = ["a_only", "b_only", "both", "neither"]
        keys = [data.get("tech_ab_key") == code for code in codes]
        locked = True
    else:
        texts = [data.get(f"option_{i}", "") for i in range(4)]
        keys = [data.get("key") == str(i) for i in range(4)]
        locked = False
    options = [OptionSpec(texts[i], data.get(f"rationale_{i}", ""), keys[i], locked) for i in range(4)]
    exhibit_display, exhibit_spec, problems = _preview_exhibit(request)
    spec = ItemSpec(
        external_id=_("preview"),
        test="",
        pool="",
        area="",
        task="",
        style=style,
        stem=data.get("stem", ""),
        options=options,
        exhibit=exhibit_spec,
        references=[r for r in data.get("references", "").splitlines() if r.strip()],
        keywords=[],
        enemies=[],
        author="",
        reviews=[],
        translations=[],
        state="draft",
        line=0,
        path="",
    )
    display = display_item(
        identifier="preview", stem=spec.stem, option_texts=[(t, locked) for t in texts], exhibit=None
    )
    if exhibit_display is not None:
        display = type(display)(
            display.identifier, display.language, display.stem_html, display.options, exhibit_display
        )
    findings = lint_item(spec)
    return render(
        request,
        "itembank/_preview.html",
        {"display": display, "findings": findings, "problems": problems, "disabled": True},
    )


def _preview_exhibit(request: HttpRequest) -> tuple[DisplayExhibit | None, ExhibitSpec | None, list[str]]:
    data = request.POST
    choice = data.get("exhibit_choice", "none")
    title, alt = data.get("exhibit_title", ""), data.get("exhibit_alt", "")
    spec = ExhibitSpec(kind=choice, title=title, alt=alt) if choice not in ("none", "") else None
    if choice == "table":
        columns = [c.strip() for c in data.get("table_columns", "").split("|")]
        rows = [
            [c.strip() for c in line.split("|")]
            for line in data.get("table_rows", "").splitlines()
            if line.strip()
        ]
        return DisplayExhibit("table", title, alt, columns=columns, rows=rows), spec, []
    upload = request.FILES.get("exhibit_file")
    if choice == "svg" and upload is not None:
        try:
            clean = sanitise_svg(upload.read())
        except SvgRefused as exc:
            return None, spec, [str(exc)]
        removed = (
            [_("Removed from the SVG: %(parts)s") % {"parts": ", ".join(sorted(set(clean.removed)))}]
            if clean.removed
            else []
        )
        # Sanitised above: shapes and text only.
        return DisplayExhibit("svg", title, alt, svg=mark_safe(clean.content.decode())), spec, removed  # noqa: S308
    if choice == "keep" and data.get("item", "").isdigit():
        item = Item.objects.filter(pk=int(data["item"])).select_related("current_version__exhibit").first()
        if item is not None and item.current_version and item.current_version.exhibit:
            from wrenchmark.itembank.display import display_exhibit

            return display_exhibit(item.current_version.exhibit, title=title, alt=alt), spec, []
    return None, spec, []


TRANSLATABLE = {"es": "Español"}


@login_required
def item_translate(request: HttpRequest, item_id: int, language: str) -> HttpResponse:
    item = _item(request, item_id)
    user = _user(request)
    if language not in TRANSLATABLE or item.state == ItemState.RETIRED:
        raise Http404
    version = item.current_version
    assert version is not None
    existing = version.translations.filter(language=language).first()
    initial: dict[str, Any] = {"status": "draft"}
    if existing is not None:
        initial = {
            "status": existing.status,
            "stem": existing.stem,
            "exhibit_title": existing.exhibit_title,
            "exhibit_alt": existing.exhibit_alt,
        }
        for index, option in enumerate(existing.options):
            initial[f"option_{index}"] = option.get("text", "")
            initial[f"rationale_{index}"] = option.get("rationale", "")
    form = TranslationForm(request.POST or None, initial=initial, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_translation_save(
                item=item, translation=form.translation(language), acting_user=user
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Translation saved."))
            return redirect(f"{reverse('itembank:detail', args=[item.pk])}?language={language}")
    return render(
        request,
        "itembank/translate.html",
        {
            "form": form,
            "item": item,
            "version": version,
            "language": language,
            "language_name": TRANSLATABLE[language],
        },
        status=400 if form.errors else 200,
    )


@login_required
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    user = _user(request)
    version = item.current_version
    assert version is not None
    language = request.GET.get("language", "en")
    transitions = [
        (str(state), str(ItemState(state).label))
        for state in services.TRANSITIONS.get(ItemState(item.state), ())
    ]
    return render(
        request,
        "itembank/detail.html",
        {
            "item": item,
            "version": version,
            "display": display_version(version, language),
            "language": language,
            "languages": ["en", *(t.language for t in version.translations.all())],
            "options": list(version.options.all()),
            "versions": item.versions.select_related("created_by").order_by("-number"),
            "reviews": item.reviews.select_related("reviewer", "version"),
            "comments": item.comments.select_related("author", "version"),
            "findings": services.item_lint_findings(item),
            "review_form": ReviewForm(),
            "comment_form": CommentForm(),
            "transition_form": TransitionForm(choices=transitions) if transitions else None,
            "can_review": item.state == ItemState.IN_REVIEW
            and user.has_role(Role.ITEM_REVIEWER)
            and item.author_id != user.pk,
            "can_submit": item.state in (ItemState.DRAFT, ItemState.NEEDS_REWORK)
            and (item.author_id == user.pk or user.has_role(Role.PROGRAM_ADMIN)),
            "can_transition": user.has_role(Role.PSYCHOMETRICIAN) or user.has_role(Role.PROGRAM_ADMIN),
            "can_edit": item.state != ItemState.RETIRED,
            "disabled": True,
        },
    )


def _act(request: HttpRequest, item_id: int, action: Any) -> HttpResponse:
    item = _item(request, item_id)
    try:
        message = action(item, _user(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
    return redirect("itembank:detail", item_id=item.pk)


@login_required
@require_POST
def item_submit(request: HttpRequest, item_id: int) -> HttpResponse:
    def act(item: Item, user: User) -> str:
        services.item_submit(item=item, acting_user=user)
        return _("%(id)s is with the review panel.") % {"id": item.external_id}

    return _act(request, item_id, act)


@login_required
@require_POST
def item_review(request: HttpRequest, item_id: int) -> HttpResponse:
    form = ReviewForm(request.POST)

    def act(item: Item, user: User) -> str:
        if not form.is_valid():
            raise ApplicationError(_("Choose a decision and write a comment."), code="invalid_review")
        services.item_review(
            item=item,
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
            acting_user=user,
        )
        item.refresh_from_db()
        return _("Review recorded; the item is now %(state)s.") % {"state": item.get_state_display().lower()}

    return _act(request, item_id, act)


@login_required
@require_POST
def item_comment(request: HttpRequest, item_id: int) -> HttpResponse:
    def act(item: Item, user: User) -> str:
        services.item_comment_add(item=item, body=request.POST.get("body", ""), acting_user=user)
        return _("Comment added.")

    return _act(request, item_id, act)


@login_required
@require_POST
def item_transition(request: HttpRequest, item_id: int) -> HttpResponse:
    def act(item: Item, user: User) -> str:
        services.item_transition(
            item=item,
            to_state=request.POST.get("to_state", ""),
            reason=request.POST.get("reason", ""),
            acting_user=user,
        )
        item.refresh_from_db()
        return _("%(id)s is now %(state)s.") % {
            "id": item.external_id,
            "state": item.get_state_display().lower(),
        }

    return _act(request, item_id, act)


def _version_text(version: ItemVersion) -> list[str]:
    lines = [
        f"Area: {version.area.letter}. {version.area.name}",
        f"Style: {version.get_style_display()}",
        f"Task: {version.task}",
        "",
    ]
    lines += [plain_text(p) for p in version.stem.split("\n\n")] + [""]
    for option in version.options.all():
        lines.append(
            f"{'ABCD'[option.position]}.{' [key]' if option.is_key else ''}{' [locked]' if option.locked else ''} {option.text}"
        )
        lines.append(f"    why: {option.rationale}")
    if version.exhibit:
        lines += [
            "",
            f"Exhibit: {version.exhibit.get_kind_display()} — {version.exhibit.title}",
            f"Alt: {version.exhibit.alt}",
        ]
    lines += ["", "References: " + "; ".join(version.references), "Keywords: " + ", ".join(version.keywords)]
    for translation in version.translations.all():
        lines += [
            "",
            f"[{translation.language}] ({translation.get_status_display()}) {plain_text(translation.stem)}",
        ]
        lines += [f"  {'ABCD'[i]}. {o.get('text', '')}" for i, o in enumerate(translation.options)]
    return lines


@login_required
def item_diff(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    versions = {
        v.number: v
        for v in item.versions.prefetch_related("options", "translations").select_related("area", "exhibit")
    }
    try:
        a = versions[int(request.GET.get("a", max(versions) - 1 if len(versions) > 1 else max(versions)))]
        b = versions[int(request.GET.get("b", max(versions)))]
    except (KeyError, ValueError):
        raise Http404 from None
    rows = []
    for line in difflib.ndiff(_version_text(a), _version_text(b)):
        tag, text = line[:1], line[2:]
        if tag == "?":
            continue
        kind = {"-": "del", "+": "ins"}.get(tag, "same")
        rows.append({"kind": kind, "text": mark_safe(escape(text) or "&nbsp;")})  # noqa: S308 - escaped
    return render(
        request,
        "itembank/diff.html",
        {"item": item, "a": a, "b": b, "rows": rows, "versions": sorted(versions)},
    )


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    user = _bank_user(request)
    items = (
        item_search(state=ItemState.IN_REVIEW)
        .exclude(author=user)
        .exclude(current_version__reviews__reviewer=user)
    )
    return render(request, "itembank/review_queue.html", {"items": items[:200], "total": items.count()})
