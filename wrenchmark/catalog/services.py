"""Writes to the catalog. The only way in is a validated catalog file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, Q

from wrenchmark.catalog.loading import CatalogFileError, CatalogSpec, Figure, parse_catalog
from wrenchmark.catalog.models import (
    ContentArea,
    Designation,
    Edition,
    ExperienceArea,
    ExperienceRequirement,
    Program,
    Series,
    Test,
)
from wrenchmark.core import clock
from wrenchmark.core.audit import audit_record


def _figures(figures: dict[str, Figure]) -> dict[str, Any]:
    return {key: fig.as_json() for key, fig in figures.items()}


def _prune(queryset: models.QuerySet[Any], keep: set[str], key: str, spec: CatalogSpec, what: str) -> None:
    stale = queryset.exclude(**{f"{key}__in": keep})
    for row in stale:
        try:
            with transaction.atomic():
                row.delete()
        except ProtectedError:
            raise CatalogFileError(
                spec.path, None, f"{what} {getattr(row, key)!r} is no longer in the file but records use it"
            ) from None


@transaction.atomic
def catalog_load(*, path: str | Path, acting_user: Any = None) -> tuple[Edition, bool]:
    """Validate the catalog file at ``path`` and load it as one edition, all or nothing.

    Loading the same edition again updates it in place (rows keep their ids, so records that point at
    a test stay valid); loading an unchanged file changes nothing. Returns ``(edition, changed)``.
    Raises ``CatalogFileError`` (``path:line: problem``) and writes nothing if anything is wrong.
    Audited as ``catalog.edition_loaded``.
    """
    spec = parse_catalog(path)
    program, _ = Program.objects.update_or_create(
        code=spec.program_code, defaults={"name": spec.program_name, "short_name": spec.program_short_name}
    )
    existing = Edition.objects.select_for_update().filter(program=program, code=spec.edition_code).first()
    if existing is not None and existing.source_sha256 == spec.sha256:
        return existing, False

    overlapping = Edition.objects.filter(program=program).exclude(code=spec.edition_code)
    overlapping = overlapping.filter(Q(effective_to__isnull=True) | Q(effective_to__gt=spec.effective_from))
    if spec.effective_to is not None:
        overlapping = overlapping.filter(effective_from__lt=spec.effective_to)
    clash = overlapping.first()
    if clash is not None:
        raise CatalogFileError(
            spec.path,
            None,
            f"edition {spec.edition_code} ({spec.effective_from} to {spec.effective_to or 'open'}) overlaps "
            f"edition {clash.code} ({clash.effective_from} to {clash.effective_to or 'open'}); "
            "close the earlier edition with effective_to first",
        )

    for position, (code, name) in enumerate(spec.experience_areas):
        ExperienceArea.objects.update_or_create(
            program=program, code=code, defaults={"name": name, "position": position}
        )
    areas = {area.code: area for area in ExperienceArea.objects.filter(program=program)}

    edition_fields = {
        "title": spec.edition_title,
        "effective_from": spec.effective_from,
        "effective_to": spec.effective_to,
        "source_file": Path(spec.path).name,
        "source_sha256": spec.sha256,
        "loaded_at": clock.now(),
        "sources": spec.sources,
        "policies": _figures(spec.policies),
        "fees": {"currency": spec.currency, **_figures(spec.fees)},
    }
    edition, created = Edition.objects.update_or_create(
        program=program, code=spec.edition_code, defaults=edition_fields
    )

    requirements: dict[str, ExperienceRequirement] = {}
    for req in spec.requirements:
        row, _ = ExperienceRequirement.objects.update_or_create(
            edition=edition,
            code=req.code,
            defaults={
                "name": req.name,
                "months": req.months,
                "training_max_months": req.training_max_months,
                "figures": _figures(req.figures),
            },
        )
        row.areas.set([areas[code] for code in req.areas])
        requirements[req.code] = row

    # A recertification test no longer in the file goes first: its replacement renews the same test, and
    # ``recertifies`` is one-to-one.
    _prune(
        edition.tests.filter(recertifies__isnull=False), {t.code for t in spec.tests}, "code", spec, "test"
    )
    tests: dict[str, Test] = {}
    position = 0
    for series_position, series_spec in enumerate(spec.series):
        series, _ = Series.objects.update_or_create(
            edition=edition,
            code=series_spec.code,
            defaults={
                "name": series_spec.name,
                "position": series_position,
                "figures": _figures(series_spec.figures),
            },
        )
        for test_spec in series_spec.tests:
            position += 1
            test, _ = Test.objects.update_or_create(
                edition=edition,
                code=test_spec.code,
                defaults={
                    "series": series,
                    "name": test_spec.name,
                    "position": position,
                    "scored_count": test_spec.scored,
                    "unscored_count": test_spec.unscored,
                    "minutes": test_spec.minutes,
                    "languages": test_spec.languages,
                    "advanced": test_spec.advanced,
                    "remote_allowed": test_spec.remote,
                    "recertifies": tests[test_spec.recertifies] if test_spec.recertifies else None,
                    "experience_requirement": requirements[test_spec.experience]
                    if test_spec.experience
                    else None,
                    "blueprint_status": test_spec.blueprint_status,
                    "prerequisites": [
                        {key: value for key, value in group.items() if key != "line"}
                        for group in test_spec.prerequisites
                    ],
                    "note": test_spec.note,
                    "figures": _figures(test_spec.figures),
                },
            )
            tests[test.code] = test
            for area_position, area in enumerate(test_spec.content_areas):
                ContentArea.objects.update_or_create(
                    test=test,
                    letter=area.letter,
                    defaults={"name": area.name, "question_count": area.questions, "position": area_position},
                )
            _prune(
                test.content_areas.all(),
                {a.letter for a in test_spec.content_areas},
                "letter",
                spec,
                "content area",
            )

    for designation_position, des in enumerate(spec.designations):
        designation, _ = Designation.objects.update_or_create(
            edition=edition,
            code=des.code,
            defaults={
                "name": des.name,
                "kind": des.kind,
                "min_any": des.min_any,
                "position": designation_position,
                "figures": _figures(des.figures),
            },
        )
        designation.all_of.set([tests[code] for code in des.all_of])
        designation.any_of.set([tests[code] for code in des.any_of])

    _prune(edition.designations.all(), {d.code for d in spec.designations}, "code", spec, "designation")
    _prune(edition.tests.all(), set(tests), "code", spec, "test")
    _prune(edition.series.all(), {s.code for s in spec.series}, "code", spec, "series")
    _prune(edition.experience_requirements.all(), set(requirements), "code", spec, "experience requirement")

    try:
        audit_record(
            action="catalog.edition_loaded",
            target=edition,
            actor=acting_user,
            summary=f"{'Loaded' if created else 'Reloaded'} {edition.code} from {Path(spec.path).name}",
            data={"sha256": spec.sha256, "tests": len(tests), "created": created},
        )
    except IntegrityError as exc:  # pragma: no cover - defensive: surfaces as a one-line error
        raise CatalogFileError(spec.path, None, f"database refused the edition: {exc}") from None
    return edition, True
