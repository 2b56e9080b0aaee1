from __future__ import annotations

from django.contrib import admin

from wrenchmark.employers.models import Employer, EmployerMembership


class MembershipInline(admin.TabularInline):
    model = EmployerMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ("name", "program_id", "city", "region", "is_demo")
    search_fields = ("name", "program_id")
    inlines = [MembershipInline]
