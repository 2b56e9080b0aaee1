"""The demo shop: consenting technicians, offered areas and its public page, loaded once, silently."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from wrenchmark.core.models import AuditEvent
from wrenchmark.demo.loading import demo_load
from wrenchmark.employers.models import EmployerInvitation
from wrenchmark.employers.selectors import technicians_current
from wrenchmark.shops.demo import DEMO_INVITEE, DEMO_SHOP, demo_shop_load
from wrenchmark.shops.selectors import blue_seal_for

pytestmark = pytest.mark.django_db


def test_nothing_happens_without_the_demo_people(catalog: Any) -> None:
    assert demo_shop_load() is None


def test_the_demo_shop_has_consenting_technicians_areas_and_its_page_on_once_and_silently(
    catalog: Any, django_capture_on_commit_callbacks: Any
) -> None:
    demo_load()
    with django_capture_on_commit_callbacks(execute=True):
        shop = demo_shop_load()
    assert shop is not None
    assert shop.name == DEMO_SHOP
    assert mail.outbox == []
    technicians = [m.user.email for m in technicians_current(shop)]
    assert technicians == ["tom.becker@demo.wrenchmark.test", "maria.gonzalez@demo.wrenchmark.test"]
    assert all(m.consented_at is not None for m in technicians_current(shop))
    assert shop.offered_areas == ["A1", "A4", "A5"]
    assert shop.public_page
    (waiting,) = EmployerInvitation.objects.filter(employer=shop, accepted_at__isnull=True)
    assert waiting.email == DEMO_INVITEE
    assert waiting.is_open

    seal = blue_seal_for(shop)
    assert seal.holds
    assert (seal.certified, seal.technicians) == (2, 2)
    assert seal.status.stops_on is not None  # María's A1 ends within the year
    assert [lapse.area.code for lapse in seal.lapses if lapse.area] == ["A1"]
    html = Client().get(f"/shops/public/{shop.program_id}/").content.decode()
    assert 'data-testid="recognised"' in html

    events = AuditEvent.objects.count()
    assert demo_shop_load() == shop
    assert AuditEvent.objects.count() == events
    assert EmployerInvitation.objects.filter(employer=shop).count() == 3
