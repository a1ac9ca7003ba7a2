"""`{% picker_options %}` writes what the template loop it replaced wrote, escaping included."""

import pytest
from django.template import Context, Template

LOOP = Template(
    '{% for code, name in options %}<option value="{{ code }}"{% if code == selected %} selected{% endif %}>'
    "{{ name }}</option>{% endfor %}"
)
TAG = Template("{% load picker_options %}{% picker_options options selected %}")
OPTIONS = [("370000", "山东省"), ("371700", "菏泽市"), ("371721", '曹县 <"&">'), ("37'1", "O'Brien")]


@pytest.mark.parametrize("selected", ["", "371721", "37'1", None, "999999"])
def test_the_options_are_the_loops(selected):
    context = {"options": OPTIONS, "selected": selected}
    assert TAG.render(Context(context)) == LOOP.render(Context(context))


def test_a_name_is_escaped_and_one_option_is_selected():
    written = TAG.render(Context({"options": OPTIONS, "selected": "371721"}))
    assert '<option value="371721" selected>曹县 &lt;&quot;&amp;&quot;&gt;</option>' in written
    assert written.count(" selected") == 1


def test_a_missing_selection_selects_nothing():
    assert " selected" not in TAG.render(Context({"options": OPTIONS}))
