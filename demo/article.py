"""The Zhumadian Daily article of 2018-08-31 that the demo reproduces: its figures, written here
only. The demo's loader (``zhumadian.py``) builds records that add up to them, and the tests
(tests/demo/, tests/browser/) check the records and the dashboard against them."""

import datetime
from decimal import Decimal

DAY = datetime.date(2018, 8, 31)

# The figures the article prints, by indicator key, as counted on DAY (money in yuan).
FIGURES = {
    "labor_models": 3_002,
    "labor_models_national": 61,
    "labor_models_provincial": 413,
    "labor_models_city": 1_255,
    "labor_models_county": 1_273,
    "labor_models_in_service_local": 1_950,
    "training_sessions": 298,
    "people_trained": 27_438,
    "people_trained_exited": 17_129,
    "enterprise_projects": 117,
    "enterprise_project_funds": Decimal("71278500.00"),  # 7,127.85 万元
    "workshops": 196,
    "project_beneficiaries": 14_496,
    "project_beneficiaries_exited": 1_405,
    "finance_enterprises": 161,
    "finance_households": 8_251,
    "finance_funds": Decimal("410000000.00"),  # 约4.1亿元
    "stable_employed": 22_314,
    "volunteer_teams": 28,
    "volunteer_events": 359,
    "collectives_participating": 77,
    "collective_projects": 79,
    "collective_project_funds": Decimal("14980000.00"),  # 1,498 万元
    "collective_employed": 4_524,
    "collective_employed_exited": 753,
}

# Figures the article gives roughly, as the demo makes them: "about 40%" of the 1,950 labor
# models in service and local take part, and volunteers reached "17,000多人".
ROUNDED = {
    "labor_models_participating": 780,
    "volunteer_beneficiaries": 17_085,
}

# 汝南县: households with a member trained, and of them those that took up planting or breeding.
RUNAN_TRAINED_HOUSEHOLDS = 2_731
RUNAN_TOOK_UP_PLANTING = 1_744

# Households under the finance agreements of the enterprises and co-ops the article names.
NAMED_AGREEMENT_HOUSEHOLDS = {
    "正阳县新爱食用菌专业合作社": 765,
    "河南豫坡酒业有限责任公司": 340,
    "驿城区天中生态农业科技有限公司": 200,
}
