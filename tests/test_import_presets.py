"""The county's column-mapping presets: picked on upload (not only the latest one), renamed
and deleted from the import pages, another county's never reachable."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportPreset, ImportRun, ImportStatus
from tests.factories import TownshipFactory, VillageFactory
from tests.import_files import national_rows, renamed
from tests.support import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root", "run_jobs_on_commit")]


@pytest.fixture
def clerk_client(client, county_a, county_a_clerk):
    VillageFactory(township=TownshipFactory(county=county_a, name="老君庙镇"), name="后刘庄村")
    client.force_login(county_a_clerk)
    return client


def make_preset(county, user, name, columns, kind="households"):
    return ImportPreset.objects.create(
        county=county, kind=kind, name=name, columns=columns, updated_by=user
    )


@pytest.fixture
def presets(county_a, county_a_clerk):
    """The right mapping, saved first; a later one that does not fit this file."""
    right = make_preset(county_a, county_a_clerk, "国家系统导出", {"主要致贫原因": "致贫主因"})
    later = make_preset(county_a, county_a_clerk, "乡镇自制表", {"主要致贫原因": "致贫原因说明"})
    return right, later


def upload(client, preset_choice, kind="households"):
    data = renamed(national_rows(), {"主要致贫原因": "致贫主因"})
    response = client.post(reverse("imports:index"), {
        "kind": kind, "file": SimpleUploadedFile("register.xlsx", data), "preset": preset_choice,
    })
    return response


def test_the_latest_preset_is_applied_unless_the_clerk_picks_another(clerk_client, presets):
    right, later = presets

    automatic = upload(clerk_client, "")
    run = ImportRun.objects.latest("pk")
    assert automatic.status_code == 302
    assert run.preset == later and run.status == ImportStatus.INVALID

    upload(clerk_client, str(right.pk))
    run = ImportRun.objects.latest("pk")
    assert run.preset == right and run.status == ImportStatus.VALIDATED, run.errors
    page = clerk_client.get(run.get_absolute_url()).content.decode()
    assert "已应用本县区的列对应方案“国家系统导出”" in page
    assert reverse("imports:preset_list") in page

    upload(clerk_client, "none")
    run = ImportRun.objects.latest("pk")
    assert run.preset is None and run.file_columns["missing"] == ["主要致贫原因"]


def test_a_preset_of_another_kind_or_county_cannot_be_picked(
    clerk_client, county_a, county_b, county_a_clerk, county_b_clerk, presets
):
    pairings = make_preset(county_a, county_a_clerk, "结对名册", {}, kind="pairings")
    theirs = make_preset(county_b, county_b_clerk, "乙县方案", {"主要致贫原因": "致贫主因"})
    runs = ImportRun.objects.count()

    other_kind = upload(clerk_client, str(pairings.pk))
    other_county = upload(clerk_client, str(theirs.pk))

    assert other_kind.status_code == other_county.status_code == 200
    assert "该方案属于“结对帮扶”导入,与所选的导入类型不符。" in (
        other_kind.context["form"].errors["preset"]
    )
    assert "preset" in other_county.context["form"].errors
    assert "乙县方案" not in other_county.content.decode()
    assert ImportRun.objects.count() == runs


def test_the_upload_form_offers_the_countys_presets_by_kind(clerk_client, presets, county_b,
                                                           county_b_clerk):
    make_preset(county_b, county_b_clerk, "乙县方案", {})
    page = clerk_client.get(reverse("imports:index")).content.decode()
    assert '<optgroup label="贫困户及家庭成员(建档立卡登记册)">' in page
    assert "国家系统导出" in page and "乡镇自制表" in page and "乙县方案" not in page
    assert f'href="{reverse("imports:preset_list")}"' in page


def test_presets_are_listed_renamed_and_deleted_by_clicks(clerk_client, presets, county_b,
                                                         county_b_clerk):
    right, later = presets
    make_preset(county_b, county_b_clerk, "乙县方案", {})
    listing = clerk_client.get(reverse("imports:preset_list")).content.decode()
    assert "国家系统导出" in listing and "乙县方案" not in listing
    assert "“主要致贫原因”取自“致贫主因”列" in listing
    assert reverse("imports:preset_edit", args=[right.pk]) in listing
    assert reverse("imports:preset_delete", args=[right.pk]) in listing

    response = clerk_client.post(
        reverse("imports:preset_edit", args=[right.pk]), {"name": "  国家系统2019 "}
    )
    assert response.status_code == 302 and response["Location"] == reverse("imports:preset_list")
    right.refresh_from_db()
    assert right.name == "国家系统2019"

    run = ImportRun.objects.create(
        kind="households", file="imports/x.xlsx", file_name="x.xlsx", county=right.county,
        created_by=right.updated_by, status=ImportStatus.DONE, preset=later,
    )
    response = clerk_client.post(reverse("imports:preset_delete", args=[later.pk]))
    assert response.status_code == 302
    assert list(ImportPreset.objects.filter(county=right.county)) == [right]
    run.refresh_from_db()
    assert run.preset is None and run.status == ImportStatus.DONE


@pytest.mark.parametrize("name, message", [
    ("乡镇自制表", "本县区已有同名的对应方案。"),
    ("", "这个字段是必填项。"),
])
def test_a_rename_is_validated_next_to_the_field(clerk_client, presets, name, message):
    right, _later = presets

    response = clerk_client.post(reverse("imports:preset_edit", args=[right.pk]), {"name": name})

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [message]
    page = response.content.decode()
    assert 'id="error_1_id_name"' in page or "invalid-feedback" in page
    right.refresh_from_db()
    assert right.name == "国家系统导出"


def test_the_same_name_is_allowed_for_another_kind(clerk_client, presets, county_a,
                                                  county_a_clerk):
    pairings = make_preset(county_a, county_a_clerk, "结对名册", {}, kind="pairings")

    response = clerk_client.post(
        reverse("imports:preset_edit", args=[pairings.pk]), {"name": "国家系统导出"}
    )

    assert response.status_code == 302
    pairings.refresh_from_db()
    assert pairings.name == "国家系统导出"


def test_another_countys_preset_is_not_found(client, county_a, county_b, county_a_clerk,
                                             county_b_clerk):
    theirs = make_preset(county_b, county_b_clerk, "乙县方案", {})
    client.force_login(county_a_clerk)

    assert client.get(reverse("imports:preset_edit", args=[theirs.pk])).status_code == 404
    assert client.post(
        reverse("imports:preset_edit", args=[theirs.pk]), {"name": "改了"}
    ).status_code == 404
    assert client.post(reverse("imports:preset_delete", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("imports:preset_delete", args=[theirs.pk])).status_code == 405
    theirs.refresh_from_db()
    assert theirs.name == "乙县方案"


@pytest.mark.parametrize("role", ["city_reviewer", "administrator"])
def test_city_and_admin_do_not_manage_presets(client, county_a, county_a_clerk, role, request):
    """They do not import, so they have no presets: 403, and nothing changes."""
    preset = make_preset(county_a, county_a_clerk, "国家系统导出", {})
    sign_in(client, request.getfixturevalue(role))

    assert client.get(reverse("imports:preset_list")).status_code == 403
    assert client.post(
        reverse("imports:preset_edit", args=[preset.pk]), {"name": "改了"}
    ).status_code == 403
    assert client.post(reverse("imports:preset_delete", args=[preset.pk])).status_code == 403
    assert ImportPreset.objects.get().name == "国家系统导出"
