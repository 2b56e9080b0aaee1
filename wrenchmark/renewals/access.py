"""Permission-checked fetches: the only way views reach a subscription or a renewal question."""

from __future__ import annotations

from wrenchmark.accounts.models import User
from wrenchmark.core.exceptions import NotFound
from wrenchmark.renewals.models import RenewalQuestion, RenewalSubscription


def access_subscription_for_holder(user: User, subscription_id: int) -> RenewalSubscription:
    """The user's own subscription; anyone else's is not found."""
    subscription = RenewalSubscription.objects.filter(pk=subscription_id, holder=user).first()
    if subscription is None:
        raise NotFound("No such subscription.")
    return subscription


def access_question_for_holder(user: User, question_id: int) -> RenewalQuestion:
    """A question of one of the user's own subscriptions, with what the page shows; else not found."""
    question = (
        RenewalQuestion.objects.select_related(
            "subscription", "credential__test", "item", "item_version__exhibit"
        )
        .prefetch_related("item_version__options", "item_version__translations")
        .filter(pk=question_id, subscription__holder=user)
        .first()
    )
    if question is None:
        raise NotFound("No such question.")
    return question
