from __future__ import annotations

from typing import Any

import pytest

from wrenchmark.accounts.models import Role
from wrenchmark.appointments.demo import DEMO_PROCTOR, demo_sites_load
from wrenchmark.appointments.models import TestSite


@pytest.mark.django_db
def test_demo_sites_load_once_in_two_zones_with_the_demo_proctor(catalog: Any) -> None:
    from wrenchmark.accounts.services import user_create

    bob = user_create(
        email=DEMO_PROCTOR, password=None, first_name="Bob", last_name="Proctor", roles=(Role.PROCTOR,)
    )
    sites = demo_sites_load()
    assert demo_sites_load() == sites
    assert TestSite.objects.count() == 2
    assert {site.time_zone for site in sites} == {"America/New_York", "America/Denver"}
    for site in sites:
        site.full_clean()
        assert list(site.proctors.all()) == [bob]
