from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from wrenchmark.accounts.models import RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0


@admin.register(User)
class WrenchmarkUserAdmin(UserAdmin):
    list_display = ("email", "program_id", "first_name", "last_name", "is_demo", "is_staff")
    search_fields = ("email", "program_id", "first_name", "last_name")
    readonly_fields = ("program_id",)
    inlines = [RoleGrantInline]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Wrenchmark", {"fields": ("program_id", "preferred_language", "is_demo")}),
    )
