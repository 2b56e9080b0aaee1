"""The item editor and the review forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wrenchmark.catalog.models import ContentArea, Edition, Test
from wrenchmark.itembank.content import TECH_AB_KEYS, TECH_AB_TEXT
from wrenchmark.itembank.models import (
    Exhibit,
    ExhibitKind,
    ItemPool,
    ItemStyle,
    ItemVersion,
    ReviewDecision,
    TranslationStatus,
)
from wrenchmark.itembank.services import (
    ItemContent,
    OptionInput,
    TranslationInput,
    exhibit_create,
    tech_ab_content_options,
)

EXHIBIT_CHOICES = [
    ("keep", _("Keep the current exhibit")),
    ("none", _("No exhibit")),
    (ExhibitKind.SVG, _("Upload a diagram (SVG)")),
    (ExhibitKind.IMAGE, _("Upload an image (PNG, JPEG)")),
    (ExhibitKind.TABLE, _("Data table")),
]
TECH_AB_CHOICES = [
    ("a_only", _("A only")),
    ("b_only", _("B only")),
    ("both", _("Both A and B")),
    ("neither", _("Neither A nor B")),
]


class ItemEditorForm(forms.Form):
    test = forms.ModelChoiceField(label=_("Test"), queryset=Test.objects.none())
    pool = forms.ChoiceField(label=_("Pool"), choices=ItemPool.choices, initial=ItemPool.OPERATIONAL)
    area = forms.ModelChoiceField(label=_("Content area"), queryset=ContentArea.objects.none())
    task = forms.CharField(label=_("Task (optional)"), max_length=300, required=False)
    style = forms.ChoiceField(label=_("Style"), choices=ItemStyle.choices)
    stem = forms.CharField(
        label=_("Stem"),
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_(
            "Plain text; blank lines separate paragraphs; <b>, <i>, <sub>, <sup> and <br> are allowed."
        ),
    )
    tech_ab_key = forms.ChoiceField(label=_("Who is correct?"), choices=TECH_AB_CHOICES, required=False)
    key = forms.ChoiceField(
        label=_("Key"),
        choices=[("0", "A"), ("1", "B"), ("2", "C"), ("3", "D")],
        widget=forms.RadioSelect,
        required=False,
    )
    exhibit_choice = forms.ChoiceField(label=_("Exhibit"), choices=EXHIBIT_CHOICES, initial="none")
    exhibit_file = forms.FileField(label=_("Exhibit file"), required=False)
    exhibit_title = forms.CharField(label=_("Exhibit title"), max_length=200, required=False)
    exhibit_alt = forms.CharField(
        label=_("Exhibit alt text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Every value a screen-reader user needs to answer the item."),
    )
    table_columns = forms.CharField(label=_("Table columns"), required=False, help_text=_("Separated by |"))
    table_rows = forms.CharField(
        label=_("Table rows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One row per line, cells separated by |"),
    )
    references = forms.CharField(
        label=_("References"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Service-information topics, one per line."),
    )
    keywords = forms.CharField(label=_("Keywords"), required=False, help_text=_("Separated by commas."))
    change_note = forms.CharField(label=_("What changed"), max_length=300, required=False)

    def __init__(
        self, *args: Any, edition: Edition, current: ItemVersion | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.current = current
        tests = Test.objects.filter(
            edition=edition, recertifies__isnull=True, content_areas__isnull=False
        ).distinct()
        test_field = self.fields["test"]
        area_field = self.fields["area"]
        assert isinstance(test_field, forms.ModelChoiceField)
        assert isinstance(area_field, forms.ModelChoiceField)
        test_field.queryset = tests.order_by("position")
        areas = ContentArea.objects.filter(test__in=tests).select_related("test")
        area_field.queryset = areas.order_by("test__position", "position")
        area_field.label_from_instance = lambda area: f"{area.test.code} {area.letter}. {area.name}"  # type: ignore[method-assign,assignment]
        for index, letter in enumerate("ABCD"):
            self.fields[f"option_{index}"] = forms.CharField(
                label=_("Option %(letter)s") % {"letter": letter}, required=False
            )
            self.fields[f"rationale_{index}"] = forms.CharField(
                label=_("Why %(letter)s is right or wrong") % {"letter": letter},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        if current is None:
            exhibit_field = self.fields["exhibit_choice"]
            assert isinstance(exhibit_field, forms.ChoiceField)
            exhibit_field.choices = [c for c in EXHIBIT_CHOICES if c[0] != "keep"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        test, area = data.get("test"), data.get("area")
        if test and area and area.test_id != test.pk:
            self.add_error("area", _("Choose a content area of %(test)s.") % {"test": test.code})
        style = data.get("style")
        if style == ItemStyle.TECH_AB:
            if not data.get("tech_ab_key"):
                self.add_error("tech_ab_key", _("Say who is correct."))
        else:
            for index in range(4):
                if not data.get(f"option_{index}", "").strip():
                    self.add_error(f"option_{index}", _("Write all four options."))
            if data.get("key", "") == "":
                self.add_error("key", _("Mark the key."))
        for index in range(4):
            if not data.get(f"rationale_{index}", "").strip():
                self.add_error(f"rationale_{index}", _("Every option needs a rationale."))
        choice = data.get("exhibit_choice")
        if (
            choice in (ExhibitKind.SVG, ExhibitKind.IMAGE, ExhibitKind.TABLE, "keep")
            and not data.get("exhibit_alt", "").strip()
        ):
            self.add_error("exhibit_alt", _("Describe the exhibit in its alt text."))
        if choice in (ExhibitKind.SVG, ExhibitKind.IMAGE) and not data.get("exhibit_file"):
            self.add_error("exhibit_file", _("Choose the file to upload."))
        return data

    def options(self) -> list[OptionInput]:
        data = self.cleaned_data
        if data["style"] == ItemStyle.TECH_AB:
            rationales = {code: data.get(f"rationale_{i}", "") for i, code in enumerate(TECH_AB_KEYS)}
            return tech_ab_content_options(data["tech_ab_key"], rationales)
        key = int(data["key"])
        return [OptionInput(data[f"option_{i}"], data[f"rationale_{i}"], i == key) for i in range(4)]

    def exhibit(self, user: Any) -> Exhibit | None:
        data = self.cleaned_data
        choice = data["exhibit_choice"]
        if choice == "none":
            return None
        if choice == "keep":
            exhibit = self.current.exhibit if self.current else None
            if exhibit is not None and (
                exhibit.alt != data["exhibit_alt"].strip() or exhibit.title != data["exhibit_title"].strip()
            ):
                exhibit = exhibit_create(
                    kind=exhibit.kind,
                    title=data["exhibit_title"],
                    alt=data["exhibit_alt"],
                    acting_user=user,
                    data=exhibit.svg.encode() if exhibit.kind == "svg" else bytes(exhibit.image or b""),
                    table=exhibit.table,
                )
            return exhibit
        table = None
        if choice == ExhibitKind.TABLE:
            table = {
                "columns": [c.strip() for c in data["table_columns"].split("|")],
                "rows": [
                    [c.strip() for c in line.split("|")]
                    for line in data["table_rows"].splitlines()
                    if line.strip()
                ],
            }
        upload = data.get("exhibit_file")
        return exhibit_create(
            kind=choice,
            title=data["exhibit_title"],
            alt=data["exhibit_alt"],
            acting_user=user,
            data=upload.read() if upload else b"",
            table=table,
        )

    def content(self, user: Any) -> ItemContent:
        data = self.cleaned_data
        translations = (
            [
                TranslationInput(
                    t.language, t.stem, list(t.options), t.status, t.exhibit_title, t.exhibit_alt
                )
                for t in self.current.translations.all()
            ]
            if self.current
            else []
        )
        return ItemContent(
            area=data["area"],
            style=data["style"],
            stem=data["stem"],
            task=data.get("task", ""),
            options=self.options(),
            exhibit=self.exhibit(user),
            references=[line.strip() for line in data.get("references", "").splitlines() if line.strip()],
            keywords=[k.strip() for k in data.get("keywords", "").split(",") if k.strip()],
            translations=translations,
        )


def editor_initial(version: ItemVersion) -> dict[str, Any]:
    """Form values for editing ``version``."""
    item = version.item
    options = list(version.options.all())
    initial: dict[str, Any] = {
        "test": item.test,
        "pool": item.pool,
        "area": version.area,
        "task": version.task,
        "style": version.style,
        "stem": version.stem,
        "references": "\n".join(version.references),
        "keywords": ", ".join(version.keywords),
        "exhibit_choice": "keep" if version.exhibit_id else "none",
    }
    for index, option in enumerate(options):
        initial[f"option_{index}"] = option.text
        initial[f"rationale_{index}"] = option.rationale
        if option.is_key:
            initial["key"] = str(index)
            if version.style == ItemStyle.TECH_AB:
                initial["tech_ab_key"] = TECH_AB_KEYS[index]
    if version.exhibit is not None:
        initial["exhibit_title"] = version.exhibit.title
        initial["exhibit_alt"] = version.exhibit.alt
    return initial


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ReviewDecision.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you checked, or what must change and why."),
    )


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(label=_("Move to"), choices=[])
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_state"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class TranslationForm(forms.Form):
    """A version's text in another language; option order and key stay the English ones."""

    status = forms.ChoiceField(label=_("Translation status"), choices=TranslationStatus.choices)
    stem = forms.CharField(label=_("Stem"), widget=forms.Textarea(attrs={"rows": 6}))
    exhibit_title = forms.CharField(label=_("Exhibit title"), max_length=200, required=False)
    exhibit_alt = forms.CharField(
        label=_("Exhibit alt text"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, version: ItemVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        self.fixed_options = version.style == ItemStyle.TECH_AB
        for index, option in enumerate(version.options.all()):
            letter = "ABCD"[index]
            if not self.fixed_options:
                self.fields[f"option_{index}"] = forms.CharField(
                    label=_("Option %(letter)s") % {"letter": letter}, help_text=option.text
                )
            self.fields[f"rationale_{index}"] = forms.CharField(
                label=_("Why %(letter)s is right or wrong") % {"letter": letter},
                help_text=option.rationale,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        if version.exhibit_id is None:
            del self.fields["exhibit_title"], self.fields["exhibit_alt"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.version.exhibit_id is not None and not data.get("exhibit_alt", "").strip():
            self.add_error("exhibit_alt", _("Translate the exhibit's alt text."))
        return data

    def translation(self, language: str) -> TranslationInput:
        data = self.cleaned_data
        fixed = TECH_AB_TEXT.get(language, TECH_AB_TEXT["en"])
        options = [
            {
                "text": fixed[TECH_AB_KEYS[i]] if self.fixed_options else data[f"option_{i}"],
                "rationale": data[f"rationale_{i}"],
            }
            for i in range(4)
        ]
        return TranslationInput(
            language=language,
            stem=data["stem"],
            options=options,
            status=data["status"],
            exhibit_title=data.get("exhibit_title", ""),
            exhibit_alt=data.get("exhibit_alt", ""),
        )


class AnswerForm(forms.Form):
    """One answer to a question shown with its explanation after (practice, renewal): the letter of the
    option chosen, among ``letters``."""

    choice = forms.ChoiceField(
        label=_("Your answer"),
        error_messages={
            "required": _("Choose an answer, then submit it."),
            "invalid_choice": _("Choose one of the answers shown."),
        },
    )

    def __init__(self, *args: Any, letters: str = "ABCD", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ChoiceField = self.fields["choice"]  # type: ignore[assignment]
        field.choices = [(letter, letter) for letter in letters]
