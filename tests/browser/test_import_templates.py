"""A clerk's import in a real browser: download a template, fill it, check it (dry run), read the preview, apply.

In Chinese and English, on a desktop (1280 px) and a phone (375 px) screen (issue 19, item 5).
"""

import openpyxl
import pytest
from django.contrib.auth.models import Group

from tests.factories import DivisionTreeFactory, UserFactory, VillageFactory
from villages.models import COUNTY_OFFICIALS, JurisdictionAssignment, Village

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "secret-pass-123"
LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}
WORDS = {
    "zh-hans": {"template": "XLSX", "confirm": "确认并导入整个文件", "status": "已检查"},
    "en": {"template": "XLSX", "confirm": "Confirm and apply the whole file", "status": "checked"},
}


@pytest.fixture
def clerk():
    tree = DivisionTreeFactory.build_tree()
    user = UserFactory(username="caoxian")
    user.groups.add(Group.objects.get(name=COUNTY_OFFICIALS))
    JurisdictionAssignment.objects.create(user=user, division=tree.county)
    VillageFactory(township=tree.town, code="371721121200", name="旧名村", households=10)
    return user


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_downloaded_template_filled_and_checked_shows_its_preview_then_applies(
    live_server, browser, clerk, screenshot, tmp_path, language, width
):
    base = live_server.url
    context = browser.new_context(locale=LOCALES[language], viewport={"width": width, "height": 900},
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "caoxian")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/imports/")
    template_language = "zh" if language == "zh-hans" else "en"
    with page.expect_download() as download:
        page.click(f"#import-templates a[href$='villages.xlsx?language={template_language}']")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    workbook = openpyxl.load_workbook(template)
    assert workbook.worksheets[0].title not in ("Sheet", "Sheet1")
    assert workbook.worksheets[1].max_row > 3  # the notes sheet, a row per column
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[2]][:2] == ["371721121288", "丁楼村"]  # the example row
    sheet.delete_rows(2)
    sheet.append(["371721121233", "新填村", 500])
    sheet.append(["371721121200", "新名村", 10])  # an update of a registered village: its name
    filled = tmp_path / "filled.xlsx"
    workbook.save(filled)

    page.select_option("#id_kind", "villages")
    page.set_input_files("#id_file", str(filled))
    assert page.is_checked("#id_dry_run")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#import-preview")
    preview = page.locator("#import-preview")
    assert preview.is_visible()
    assert "新填村" in preview.inner_text() and "新名村" in preview.inner_text()
    assert "旧名村" in preview.locator("del").all_inner_texts()
    status = page.locator("#import-status").inner_text()
    assert WORDS[language]["status"] in status
    screenshot(page, f"import-preview-{language}-{width}")
    assert not Village.objects.filter(code="371721121233").exists()

    page.click(f"text={WORDS[language]['confirm']}")
    page.wait_for_selector("#import-message")
    assert Village.objects.get(code="371721121233").households == 500
    assert Village.objects.get(code="371721121200").name == "新名村"
    context.close()

