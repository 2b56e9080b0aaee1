"""Demo staff for the demo shop: technicians who accepted Carol's invitation, the areas it offers, and
its public page on, entered through the employers services (audited, no e-mail sent).

Riverside Auto Service offers A1, A4 and A5. María González (Master Automobile Technician, A1 expiring
soon) and Tom Becker (A4 renewed) have joined, so the shop meets the Blue Seal today, and the panel
forecasts that it stops holding the day after María's A1 ends. Priya Nair, who works there and waits for
Carol to confirm her experience, has an open invitation: if she accepts before her certifications are
issued, the share drops to 2 of 3 and the recognition lapses, which is the rule to show.
"""

from __future__ import annotations

from django.db import transaction

from wrenchmark.accounts.models import User
from wrenchmark.employers.models import Employer, EmployerInvitation, EmployerMembership
from wrenchmark.employers.services import (
    employer_areas_set,
    employer_public_page_set,
    invitation_accept,
    invitation_create,
)

DEMO_SHOP = "Riverside Auto Service"
DEMO_SHOP_ADMIN = "carol.shop@demo.wrenchmark.test"
DEMO_TECHNICIANS = ("maria.gonzalez@demo.wrenchmark.test", "tom.becker@demo.wrenchmark.test")
DEMO_INVITEE = "priya.nair@demo.wrenchmark.test"
DEMO_AREAS = ("A1", "A4", "A5")


@transaction.atomic
def demo_shop_load() -> Employer | None:
    """Give the demo shop its technicians, areas and public page, once.

    Returns the shop, or ``None`` when the demo people are not loaded. Once any technician has joined
    the shop, later calls change nothing (so what a visitor changed stays changed)."""
    shop = Employer.objects.filter(name=DEMO_SHOP, is_demo=True).first()
    carol = User.objects.filter(email=DEMO_SHOP_ADMIN).first()
    if shop is None or carol is None:
        return None
    if EmployerMembership.objects.filter(employer=shop, consented_at__isnull=False).exists():
        return shop
    for email in DEMO_TECHNICIANS:
        technician = User.objects.filter(email=email).first()
        if technician is None:
            continue
        invitation = invitation_create(employer=shop, email=email, acting_user=carol, notify=False)
        invitation_accept(token=invitation.token, user=technician)
    if (
        User.objects.filter(email=DEMO_INVITEE).exists()
        and not EmployerInvitation.objects.filter(employer=shop, email__iexact=DEMO_INVITEE).exists()
    ):
        invitation_create(employer=shop, email=DEMO_INVITEE, acting_user=carol, notify=False)
    shop = employer_areas_set(employer=shop, codes=DEMO_AREAS, acting_user=carol)
    return employer_public_page_set(employer=shop, public=True, acting_user=carol)
