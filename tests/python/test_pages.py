"""The round in a real browser: headless Chromium (the distribution's package) driven by
Playwright runs a whole round through the pages of `parindex serve`. The office creates the
round and its accounts; two units fill in, one is refused for missing evidence; an appraiser
changes a row with a reason; the office publishes; the public page shows the ranks. Every page
is photographed at an office desktop's width (1366 px) and a phone's (390 px) into
target/pages/, and checked with axe-core for serious accessibility violations."""

from __future__ import annotations

import pathlib
import re
import shutil
import subprocess

import pytest

from conftest import ROOT

playwright = pytest.importorskip("playwright.sync_api")
axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
ARTIFACTS = ROOT / "target" / "pages"
BINARY = ROOT / "target" / "debug" / "parindex"
WIDTHS = {"desktop": 1366, "phone": 390}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    if not BINARY.exists():
        subprocess.run(["cargo", "build", "-q", "-p", "parindex-cli"], cwd=ROOT, check=True)
    data = tmp_path_factory.mktemp("server")
    process = subprocess.Popen(
        [str(BINARY), "serve", "--listen", "127.0.0.1:0", "--data", str(data / "data")],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    address = process.stdout.readline().strip().removeprefix("parindex serves ")
    password = re.search(r"password (\S+)", process.stdout.readline()).group(1)
    yield {"base": address, "password": password, "data": data}
    process.kill()
    process.wait()


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


class Visitor:
    """One person's browser session; photographs and checks every page it lands on."""

    def __init__(self, browser, base: str, name: str, seen: list[str]):
        self.context = browser.new_context(viewport={"width": 1366, "height": 900})
        self.page = self.context.new_page()
        self.base = base
        self.name = name
        self.seen = seen

    def open(self, path: str) -> None:
        self.page.goto(self.base + path)

    def login(self, login: str, password: str) -> None:
        self.open("/login")
        self.page.get_by_label("Tên đăng nhập").fill(login)
        self.page.get_by_label("Mật khẩu").fill(password)
        self.page.get_by_role("button", name="Đăng nhập").click()

    def check(self, label: str) -> None:
        """Screenshots at both widths and the accessibility check of the current page."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for width_name, width in WIDTHS.items():
            self.page.set_viewport_size({"width": width, "height": 900})
            self.page.screenshot(path=ARTIFACTS / f"{label}-{width_name}.png", full_page=True)
            overflow = self.page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{label} scrolls sideways at {width} px"
        self.page.set_viewport_size({"width": 1366, "height": 900})
        results = axe_module.Axe().run(self.page)
        serious = [
            v for v in results.response["violations"] if v["impact"] in ("serious", "critical")
        ]
        assert not serious, f"{label}: " + "; ".join(
            f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in serious
        )
        self.seen.append(label)


def set_text() -> str:
    text = (ROOT / "criteria" / "2024" / "binh-thuan-police-commune.toml").read_text("utf-8")
    return text.replace(
        'missing = "zero-with-warning"', 'missing = "zero-with-warning"\nevidence = "required"', 1
    )


def test_a_whole_round_in_the_browser(server, browser, tmp_path: pathlib.Path) -> None:
    seen: list[str] = []
    base = server["base"]
    office = Visitor(browser, base, "office", seen)
    office.open("/")
    office.check("home-public")
    office.open("/login")
    office.check("login")
    office.login("admin", server["password"])
    office.check("home-office")

    # The office creates the round from an uploaded criteria file.
    criteria = tmp_path / "commune-evidence.toml"
    criteria.write_text(set_text(), "utf-8")
    office.page.get_by_label("Tên đợt đánh giá").fill("Năm 2024")
    office.page.locator("#set_file").set_input_files(str(criteria))
    office.page.get_by_role("button", name="Tạo", exact=True).click()
    round_url = office.page.url
    round_id = round_url.rsplit("/", 1)[1]

    # Windows are typed the way an office writes dates.
    office.page.locator("#self_opens").fill("01/01/2024")
    office.page.locator("#self_closes").fill("31/12/2099")
    office.page.locator("form.windows button").click()
    assert office.page.locator("#self_closes").input_value() == "31/12/2099"

    units = tmp_path / "don-vi.csv"
    units.write_text("unit,name\nCAP-A,Công an phường A\nCAP-B,Công an xã B\n", "utf-8")
    office.page.locator("#units-file").set_input_files(str(units))
    office.page.get_by_role("button", name="Nhập", exact=True).click()
    assert office.page.get_by_role("link", name="CAP-B").is_visible()

    passwords = {}
    for login, role, unit in [
        ("cap-a", "unit", "CAP-A"),
        ("cap-b", "unit", "CAP-B"),
        ("thamdinh", "appraiser", ""),
    ]:
        office.page.locator("#acc-login").fill(login)
        office.page.locator("#acc-role").select_option(role)
        office.page.locator("#acc-unit").select_option(unit)
        office.page.get_by_role("button", name="Tạo", exact=True).click()
        notice = office.page.get_by_role("status").inner_text()
        passwords[login] = re.search(r"một lần\): (\S+)", notice).group(1)
    office.page.locator("#as-login").fill("thamdinh")
    office.page.locator("#as-units").fill("CAP-A, CAP-B")
    office.page.get_by_role("button", name="Phân công thẩm định").click()
    office.page.get_by_role("button", name="Chuyển sang: Đơn vị tự đánh giá").click()
    office.check("round-office")

    # Unit A fills two rows, attaches evidence to both, and submits.
    evidence = tmp_path / "bien-ban.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% bien ban\n%%EOF\n")
    a = Visitor(browser, base, "cap-a", seen)
    a.login("cap-a", passwords["cap-a"])
    assert a.page.url.endswith(f"/rounds/{round_id}/units/CAP-A")
    assert "01/01/2024 – 31/12/2099" in a.page.content()
    a.page.locator("#v-1\\.1\\.4").fill("7/9")
    # The live preview: the engine's explanation of the value typed, before it is saved. The
    # set requires evidence, and none is attached yet, so the row still scores 0.
    reason = a.page.locator("[data-points='1.1.4'] .reason")
    playwright.expect(reason).to_contain_text("7/9")
    playwright.expect(a.page.locator("[data-points='1.1.4'] .points")).to_have_text("0")
    a.page.locator("#v-1\\.1\\.2").select_option("có")
    playwright.expect(a.page.locator("[data-points='1.1.2'] .reason")).to_contain_text(
        "→ 1, but no evidence was attached: scored 0"
    )
    a.page.get_by_role("button", name="Lưu").click()
    assert "Đã lưu" in a.page.get_by_role("status").inner_text()
    for code in ["1.1.4", "1.1.2"]:
        a.page.get_by_label(f"Tệp kiểm chứng cho {code}").set_input_files(str(evidence))
        a.page.locator(f"button[form='ev-{code}']").click()
    assert a.page.get_by_role("link", name="bien-ban.pdf").count() == 2
    a.check("unit-editing")
    a.page.get_by_role("button", name="Gửi kết quả tự đánh giá").click()
    assert a.page.get_by_text("Đơn vị đã gửi kết quả tự đánh giá").is_visible()
    assert a.page.locator("#v-1\\.1\\.4").is_disabled()
    a.check("unit-submitted")

    # Unit B claims a row without evidence: its submission is refused, saying which.
    b = Visitor(browser, base, "cap-b", seen)
    b.login("cap-b", passwords["cap-b"])
    # A value the criterion does not take is refused in Vietnamese, with the reader's detail.
    b.page.locator("#v-1\\.1\\.4").fill("chín phần chín")
    b.page.get_by_role("button", name="Lưu").click()
    assert "ghi tỷ lệ phần trăm" in b.page.get_by_role("alert").inner_text()
    b.page.locator("#v-1\\.1\\.4").fill("9/9")
    b.page.get_by_role("button", name="Lưu").click()
    b.page.get_by_role("button", name="Gửi kết quả tự đánh giá").click()
    alert = b.page.get_by_role("alert").inner_text()
    assert "Thiếu tài liệu kiểm chứng cho 1 tiêu chí: 1.1.4" in alert
    b.check("unit-refused")
    # B's session cannot open A's page.
    b.open(f"/rounds/{round_id}/units/CAP-A")
    assert "Không tìm thấy trang này" in b.page.content()
    assert "7/9" not in b.page.content()

    # The appraiser changes A's row, with a reason; without one, it is refused.
    office.open(f"/rounds/{round_id}")
    office.page.get_by_role("button", name="Chuyển sang: Thẩm định").click()
    appraiser = Visitor(browser, base, "thamdinh", seen)
    appraiser.login("thamdinh", passwords["thamdinh"])
    appraiser.check("appraiser-queue")
    appraiser.page.get_by_role("link", name="CAP-A").click()
    appraiser.page.locator("#a-1\\.1\\.4").fill("6/9")
    appraiser.page.get_by_role("button", name="Lưu").click()
    assert "phải ghi lý do" in appraiser.page.get_by_role("alert").inner_text()
    appraiser.page.locator("#a-1\\.1\\.4").fill("6/9")
    appraiser.page.get_by_label("Lý do điều chỉnh — 1.1.4").fill("Chỉ có 6 biên bản hợp lệ")
    appraiser.page.get_by_role("button", name="Lưu").click()
    assert "Đã lưu" in appraiser.page.get_by_role("status").inner_text()
    appraiser.check("appraiser-unit")

    # The office closes and publishes.
    office.open(f"/rounds/{round_id}")
    for state in ["Đơn vị giải trình", "Hoàn thiện kết quả"]:
        office.page.get_by_role("button", name=f"Chuyển sang: {state}").click()
    office.page.get_by_role("button", name="Công bố kết quả").click()

    # The public page, without logging in: A (with its evidence) ranks first; B's row,
    # claimed without the evidence the set requires, scores 0, so B ranks second.
    public = Visitor(browser, base, "public", seen)
    public.open("/")
    public.page.get_by_role("link", name=re.compile("Năm 2024")).click()
    rows = public.page.locator("table.ranking tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("th").inner_text().startswith("CAP-A")
    assert rows.nth(0).locator("td").first.inner_text() == "1"
    assert rows.nth(1).locator("th").inner_text().startswith("CAP-B")
    # How firm the order is, from the sensitivity analysis: A's rank interval holds its rank.
    interval = rows.nth(0).locator("td").last.inner_text()
    assert re.fullmatch(r"1(–2)?", interval), interval
    public.check("results-public")

    # English, the second language, through the same catalogue.
    public.page.get_by_role("link", name="English").click()
    assert public.page.get_by_role("heading", name=re.compile("^Ranking")).is_visible()
    public.check("results-public-en")
    # The office's password, changed from its page; a wrong current one is refused.
    office.open("/password")
    office.page.locator("#current").fill("không đúng")
    office.page.locator("#new").fill("một mật khẩu mới đủ dài")
    office.page.get_by_role("button", name="Đổi mật khẩu").click()
    assert "Mật khẩu hiện tại không đúng" in office.page.get_by_role("alert").inner_text()
    office.page.locator("#current").fill(server["password"])
    office.page.locator("#new").fill("một mật khẩu mới đủ dài")
    office.page.get_by_role("button", name="Đổi mật khẩu").click()
    assert "Đã đổi mật khẩu" in office.page.get_by_role("status").inner_text()
    office.check("password")
    assert len(seen) == 12
