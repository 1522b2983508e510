"""The Zhumadian Daily, 2018-08-31: each indicator's figure as the dashboard must show it on
that day, on the demo (tests/demo/test_demo_dashboard.py, tests/browser/test_city_dashboard.py).
"""

ARTICLE = {
    "labor_models": "3,002",
    "labor_models_national": "61",
    "labor_models_provincial": "413",
    "labor_models_city": "1,255",
    "labor_models_county": "1,273",
    "labor_models_in_service_local": "1,950",
    "training_sessions": "298",
    "people_trained": "27,438",
    "people_trained_exited": "17,129",
    "enterprise_projects": "117",
    "enterprise_project_funds": "7,127.85 万元",
    "workshops": "196",
    "project_beneficiaries": "14,496",
    "project_beneficiaries_exited": "1,405",
    "finance_enterprises": "161",
    "finance_households": "8,251",
    "finance_funds": "4.1 亿元",
    "stable_employed": "22,314",
    "volunteer_teams": "28",
    "volunteer_events": "359",
    "collectives_participating": "77",
    "collective_projects": "79",
    "collective_project_funds": "1,498.00 万元",
    "collective_employed": "4,524",
    "collective_employed_exited": "753",
}
