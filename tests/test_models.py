import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.choices import PovertyStatus, Relation
from cases.models import Household, IndustryProject, Member, Pairing
from cases.uniqueness import duplicate_message
from cases.validators import (
    build_resident_id,
    mask_id_number,
    mask_phone,
    validate_not_in_future,
    validate_resident_id,
)
from tests.factories import (
    EnterpriseFactory,
    HouseholdFactory,
    LaborModelFactory,
    MemberFactory,
    PairingFactory,
    VillageFactory,
)

# A real-format number whose GB 11643 check character is X.
VALID_ID_ENDING_IN_X = "11010519491231002X"


def field_errors(instance):
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict


class TestResidentIdValidation:
    def test_accepts_a_checksummed_number_ending_in_x(self):
        validate_resident_id(VALID_ID_ENDING_IN_X)

    def test_built_numbers_pass_their_own_check(self):
        validate_resident_id(build_resident_id("411727", datetime.date(1975, 6, 30), 123))

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("110105194912310021", "校验位不正确"),
            ("11010519491231002", "应为18位"),
            ("1101051949123100XX", "应为18位"),
            ("110105194913310029", "出生日期"),
            ("41172720990101001" + "0", "出生日期"),
        ],
    )
    def test_rejects_bad_numbers_with_a_chinese_reason(self, value, message):
        with pytest.raises(ValidationError) as excinfo:
            validate_resident_id(value)
        assert message in str(excinfo.value.messages[0])

    def test_member_with_bad_checksum_gets_the_error_on_its_field(self, db):
        member = MemberFactory.build(
            household=HouseholdFactory(), id_number="110105194912310021"
        )
        errors = field_errors(member)
        assert "校验位不正确" in errors["id_number"][0]

    def test_lower_case_x_and_spaces_are_normalised(self, db):
        member = MemberFactory.build(
            household=HouseholdFactory(), id_number=f" {VALID_ID_ENDING_IN_X.lower()} "
        )
        member.full_clean()
        assert member.id_number == VALID_ID_ENDING_IN_X

    def test_member_birth_date_and_sex_come_from_the_id(self, db):
        member = MemberFactory(id_number=VALID_ID_ENDING_IN_X)
        member.refresh_from_db()
        assert member.birth_date == datetime.date(1949, 12, 31)
        assert member.sex == "F"

    def test_birth_date_contradicting_the_id_is_rejected(self, db):
        member = MemberFactory.build(
            household=HouseholdFactory(),
            id_number=VALID_ID_ENDING_IN_X,
            birth_date=datetime.date(1950, 1, 1),
        )
        assert "出生日期与身份证号不一致" in field_errors(member)["birth_date"][0]


def test_masking_hides_birth_date_and_middle_of_phone():
    assert mask_id_number("41282219800101123X") == "412822********123X"
    assert mask_phone("13812345678") == "138****5678"


class TestUniqueness:
    def test_duplicate_register_number_is_a_field_error(self, db):
        existing = HouseholdFactory()
        duplicate = HouseholdFactory.build(
            register_number=existing.register_number, village=existing.village
        )
        assert field_errors(duplicate)["register_number"] == [duplicate_message("户编号")]

    def test_duplicate_register_number_is_refused_by_the_database(self, db):
        existing = HouseholdFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            HouseholdFactory(register_number=existing.register_number)

    def test_duplicate_id_number_is_a_field_error(self, db):
        existing = MemberFactory()
        duplicate = MemberFactory.build(household=existing.household, id_number=existing.id_number)
        assert field_errors(duplicate)["id_number"] == [duplicate_message("身份证号")]

    def test_one_head_per_household(self, db):
        household = HouseholdFactory()
        MemberFactory(household=household, relation=Relation.HEAD)
        second_head = MemberFactory.build(household=household, relation=Relation.HEAD)
        assert "一户只能有一名户主" in str(field_errors(second_head))


class TestMoney:
    def project(self, funds):
        return IndustryProject(
            name="红薯深加工",
            enterprise=EnterpriseFactory(),
            funds=funds,
            started_on=datetime.date(2018, 5, 1),
        )

    def test_negative_funds_are_a_field_error(self, db):
        project = self.project(Decimal("-1.00"))
        project.county = project.enterprise.county
        assert "确保该值大于或等于" in field_errors(project)["funds"][0]

    def test_absurd_funds_are_a_field_error(self, db):
        project = self.project(Decimal("5000000000.00"))
        project.county = project.enterprise.county
        assert "超出合理范围" in field_errors(project)["funds"][0]

    def test_negative_funds_are_refused_by_the_database(self, db):
        project = self.project(Decimal("100.00"))
        project.county = project.enterprise.county
        project.save()
        with pytest.raises(IntegrityError), transaction.atomic():
            IndustryProject.objects.filter(pk=project.pk).update(funds=Decimal("-0.01"))

    def test_money_is_kept_exactly(self, db):
        project = self.project(Decimal("71278500.05"))
        project.county = project.enterprise.county
        project.save()
        project.refresh_from_db()
        assert project.funds == Decimal("71278500.05")


class TestDates:
    def test_exit_before_identification_is_a_field_error(self, db):
        household = HouseholdFactory.build(
            village=VillageFactory(),
            identified_on=datetime.date(2016, 3, 1),
            status=PovertyStatus.EXITED,
            exit_date=datetime.date(2015, 12, 31),
        )
        assert field_errors(household)["exit_date"] == ["脱贫日期不能早于识别日期。"]

    def test_exit_before_identification_is_refused_by_the_database(self, db):
        household = HouseholdFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Household.objects.filter(pk=household.pk).update(
                status=PovertyStatus.EXITED, exit_date=datetime.date(2000, 1, 1)
            )

    def test_exited_household_needs_an_exit_date(self, db):
        household = HouseholdFactory.build(village=VillageFactory(), status=PovertyStatus.EXITED)
        assert "须填写脱贫日期" in field_errors(household)["exit_date"][0]

    def test_dates_in_the_future_are_rejected(self, db):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        household = HouseholdFactory.build(village=VillageFactory(), identified_on=tomorrow)
        assert field_errors(household)["identified_on"] == ["日期不能晚于今天。"]

    @pytest.mark.parametrize(
        ("utc_time", "refused"),
        # 15:00 UTC is 23:00 in Shanghai, still 2 December; 17:00 UTC is already 3 December.
        [(datetime.datetime(2026, 12, 2, 15, 0, tzinfo=datetime.UTC), True),
         (datetime.datetime(2026, 12, 2, 17, 0, tzinfo=datetime.UTC), False)],
    )
    def test_today_is_the_date_in_china_whatever_the_servers_clock(
        self, utc_time, refused, monkeypatch
    ):
        monkeypatch.setattr(timezone, "now", lambda: utc_time)
        december_3 = datetime.date(2026, 12, 3)
        if refused:
            with pytest.raises(ValidationError, match="日期不能晚于今天"):
                validate_not_in_future(december_3)
        else:
            validate_not_in_future(december_3)

    def test_pairing_cannot_end_before_it_starts(self, db):
        pairing = PairingFactory.build(
            household=HouseholdFactory(), end_date=datetime.date(2018, 1, 1)
        )
        pairing.labor_model = LaborModelFactory(county=pairing.household.county)
        pairing.county = pairing.household.county
        assert field_errors(pairing)["end_date"] == ["结束日期不能早于开始日期。"]


class TestPairingShape:
    def test_a_pairing_needs_exactly_one_helper(self, db):
        pairing = PairingFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Pairing.objects.filter(pk=pairing.pk).update(
                enterprise=EnterpriseFactory(county=pairing.county)
            )

    def test_a_pairing_with_no_target_is_a_field_error(self, db):
        labor_model = LaborModelFactory()
        pairing = PairingFactory.build(
            household=None, labor_model=labor_model, county=labor_model.county
        )
        assert "只选择一个帮扶对象" in field_errors(pairing)["household"][0]


class TestCountyIsDerived:
    def test_member_county_follows_its_household_whatever_was_set(self, db):
        household = HouseholdFactory()
        other_village = VillageFactory()
        member = MemberFactory.build(household=household, county=other_village.county)
        member.save()
        assert member.county == household.county

    def test_household_county_follows_its_village(self, db):
        village = VillageFactory()
        household = HouseholdFactory.build(village=village, county=VillageFactory().county)
        household.save()
        assert household.county == village.county

    def test_pairing_county_is_the_households(self, db):
        household = HouseholdFactory()
        pairing = PairingFactory(household=household)
        assert pairing.county_id == household.county_id


def test_changes_are_kept_in_history(db):
    household = HouseholdFactory(head_name="张三")
    household.head_name = "张三丰"
    household.save()
    names = [record.head_name for record in household.history.order_by("history_date")]
    assert names == ["张三", "张三丰"]
    assert Member.history.count() == 0
