"""The article's figures on the city dashboard of the demo, and a figure equal to its list."""

import re
from decimal import Decimal

import pytest

from accounts.models import User
from tests.demo.article import ARTICLE
from tests.support import AS_OF_PARAMS, DASHBOARD, card_links, listed_figure, login

pytestmark = pytest.mark.django_db


def test_the_article_figures_are_on_the_city_dashboard():
    city = User.objects.get(username="city")
    content = login(city).get(DASHBOARD, AS_OF_PARAMS).content.decode()
    text = re.sub(r"<[^>]+>", " ", content)
    text = re.sub(r"\s+", " ", text)
    cards = re.findall(r'<div class="figure-value">(.*?)</div>', content, re.S)
    shown = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", card)).strip() for card in cards]
    for figure in ARTICLE.values():
        number = figure.split(" ")[0]
        assert any(card.split(" ")[0] == number for card in shown), figure
        assert figure in text, figure


def test_a_demo_figure_equals_its_list():
    client = login(User.objects.get(username="city"))
    links = card_links(client.get(DASHBOARD, AS_OF_PARAMS).content.decode())
    figure, _ = listed_figure(client, links["people_trained_exited"], "people_trained_exited")
    assert figure == 17_129
    figure, _ = listed_figure(client, links["finance_funds"], "finance_funds")
    assert figure == Decimal("410000000.00")
