"""Admin pages for hub configuration. Hub administrators see and change only the hubs they administer. Every add
and change goes through a service (so it is validated and audited); published versions and signatures are read-only,
and nothing is deleted here except a role, which is revoked through its service."""

from django import forms
from django.contrib import admin

from agencies import selectors, services
from agencies.admin_site import SuperuserOnlyMixin, admin_site
from agencies.models import (
    Agency,
    CoreDocument,
    DocumentVersion,
    FundingContribution,
    Hub,
    HubMembership,
    RoleAssignment,
    Signature,
)
from mash.errors import Refused


class HubScopedAdmin(admin.ModelAdmin):
    """Rows reachable through `hub_path` from a hub the user administers; nothing else, not even by its id."""

    hub_path = "hub"
    changeable = True
    # Foreign keys whose choices are limited to the administered hubs: field name -> (model, path to its hub).
    scoped_choices: dict = {}

    def _hubs(self, request):
        return selectors.hubs_administered_by(request.user)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.hub_path}__in": self._hubs(request)})

    def _allowed(self, request, obj=None):
        if request.user.is_superuser:
            return True
        if not self._hubs(request).exists():
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, obj)

    def has_add_permission(self, request, *args):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return (self.changeable or obj is None) and self._allowed(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            if db_field.name == "hub":
                kwargs["queryset"] = self._hubs(request)
            elif db_field.name in self.scoped_choices:
                model, path = self.scoped_choices[db_field.name]
                kwargs["queryset"] = model.objects.filter(**{f"{path}__in": self._hubs(request)})
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Hub, site=admin_site)
class HubAdmin(HubScopedAdmin):
    hub_path = "pk"
    list_display = ["name", "area", "cohorts"]

    def get_readonly_fields(self, request, obj=None):
        return ["slug"] if obj else []

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        if change:
            data = {f: form.cleaned_data[f] for f in form.changed_data if f in services.HUB_EDITABLE_FIELDS}
            services.hub_update(hub=obj, data=data)
        else:
            fields = {f: form.cleaned_data[f] for f in services.HUB_EDITABLE_FIELDS if f in form.cleaned_data}
            obj.pk = services.hub_create(slug=form.cleaned_data["slug"], **fields).pk


@admin.register(Agency, site=admin_site)
class AgencyAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "kind"]
    prepopulated_fields = {"slug": ["name"]}

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.agency_update(agency=obj, data={f: data[f] for f in form.changed_data})
        else:
            obj.pk = services.agency_create(
                name=data["name"], slug=data["slug"], kind=data["kind"], source_codes=data["source_codes"]
            ).pk


@admin.register(HubMembership, site=admin_site)
class HubMembershipAdmin(HubScopedAdmin):
    list_display = ["agency", "hub", "kind"]
    list_filter = ["kind"]

    def save_model(self, request, obj, form, change):
        obj.pk = services.membership_set(hub=obj.hub, agency=obj.agency, kind=obj.kind).pk


class RoleAssignmentForm(forms.ModelForm):
    """The admin's form asks the same rules as the People page before saving: nobody changes their own roles, and
    a hub administrator holds no case role in the hub."""

    class Meta:
        model = RoleAssignment
        fields = ["hub", "user", "role", "agency", "delegation_starts", "delegation_ends"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        target = (
            self.instance if self.instance.pk else RoleAssignment(**{k: data.get(k) for k in ("hub", "user", "role")})
        )
        try:
            services.role_change_allowed(assignment=target, by=self.request_user)
        except Refused as refused:
            raise forms.ValidationError(refused.reason) from None
        if not self.instance.pk:
            services.check_roles_apart(data["hub"], data["user"], data["role"])
        return data


@admin.register(RoleAssignment, site=admin_site)
class RoleAssignmentAdmin(HubScopedAdmin):
    form = RoleAssignmentForm
    list_display = ["user", "role", "hub", "agency", "granted_by"]
    list_filter = ["role"]
    raw_id_fields = ["user"]
    actions = None

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        return ["hub", "user", "role", "agency", "granted_by"] if obj else ["granted_by"]

    def has_delete_permission(self, request, obj=None):
        # The only accountable manager is never removed (services.role_revoke refuses): no delete button either.
        allowed = self._allowed(request, obj) and (obj is None or obj.user_id != request.user.pk)
        return allowed and (obj is None or services.role_revoke_conflict(obj) is None)

    def save_model(self, request, obj, form, change):
        if change:
            services.role_change_delegation(
                assignment=obj,
                delegation_starts=obj.delegation_starts,
                delegation_ends=obj.delegation_ends,
                by=request.user,
            )
        else:
            obj.pk = services.role_grant(
                hub=obj.hub,
                user=obj.user,
                role=obj.role,
                agency=obj.agency,
                delegation_starts=obj.delegation_starts,
                delegation_ends=obj.delegation_ends,
                by=request.user,
            ).pk

    def delete_model(self, request, obj):
        services.role_revoke(assignment=obj, by=request.user)


@admin.register(CoreDocument, site=admin_site)
class CoreDocumentAdmin(HubScopedAdmin):
    list_display = ["title", "kind", "hub"]
    changeable = False

    def save_model(self, request, obj, form, change):
        obj.pk = services.document_create(hub=obj.hub, kind=obj.kind, title=obj.title).pk


@admin.register(DocumentVersion, site=admin_site)
class DocumentVersionAdmin(HubScopedAdmin):
    hub_path = "document__hub"
    list_display = ["document", "number", "effective_from", "review_due"]
    readonly_fields = ["number", "published_by"]
    changeable = False
    scoped_choices = {"document": (CoreDocument, "hub")}

    def save_model(self, request, obj, form, change):
        obj.pk = services.document_version_publish(
            document=obj.document,
            effective_from=obj.effective_from,
            review_due=obj.review_due,
            text=obj.text,
            file=obj.file,
            by=request.user,
        ).pk


@admin.register(Signature, site=admin_site)
class SignatureAdmin(HubScopedAdmin):
    hub_path = "version__document__hub"
    list_display = ["agency", "version", "signed_on", "signatory_name"]
    readonly_fields = ["recorded_by"]
    changeable = False
    scoped_choices = {"version": (DocumentVersion, "document__hub")}

    def save_model(self, request, obj, form, change):
        obj.pk = services.agreement_sign(
            version=obj.version,
            agency=obj.agency,
            signatory_name=obj.signatory_name,
            signatory_role=obj.signatory_role,
            signed_on=obj.signed_on,
            by=request.user,
        ).pk


@admin.register(FundingContribution, site=admin_site)
class FundingContributionAdmin(HubScopedAdmin):
    list_display = ["agency", "hub", "financial_year", "amount_gbp", "staff_fte", "working_pattern"]

    def save_model(self, request, obj, form, change):
        obj.pk = services.funding_record(
            hub=obj.hub,
            agency=obj.agency,
            financial_year=obj.financial_year,
            amount_gbp=obj.amount_gbp,
            staff_fte=obj.staff_fte,
            working_pattern=obj.working_pattern,
            contribution=obj if change else None,
        ).pk
