from tests.factories import MemberFactory, PairingFactory


def test_factories_build_a_valid_case(county_a):
    member = MemberFactory(household__village__township__county=county_a)
    member.full_clean()
    pairing = PairingFactory(household=member.household)
    pairing.full_clean()
    assert pairing.county == county_a
