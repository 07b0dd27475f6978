#include "onec/contacts.h"
#include "onec/metadata.h"
#include "onec/odata.h"
#include "onec/page.h"
#include "onec/refs.h"
#include "onec/sync.h"

#include <catch2/catch.hpp>

#include <deque>
#include <fstream>
#include <random>

using namespace sr;

namespace {

// A small CSDL in 1C's shape: entity types, a tabular section row type, entity sets.
constexpr std::string_view k_csdl = R"xml(<?xml version="1.0" encoding="UTF-8"?>
<edmx:Edmx xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" Version="1.0">
 <edmx:DataServices xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" m:DataServiceVersion="3.0">
  <Schema xmlns="http://schemas.microsoft.com/ado/2009/11/edm" Namespace="StandardODATA">
   <EntityType Name="Catalog_Пользователи">
    <Key><PropertyRef Name="Ref_Key"/></Key>
    <Property Name="Ref_Key" Type="Edm.Guid" Nullable="false"/>
    <Property Name="DataVersion" Type="Edm.String"/>
    <Property Name="DeletionMark" Type="Edm.Boolean"/>
    <Property Name="Description" Type="Edm.String"/>
    <Property Name="Недействителен" Type="Edm.Boolean"/>
    <Property Name="КонтактнаяИнформация" Type="Collection(StandardODATA.Catalog_Пользователи_КонтактнаяИнформация_RowType)"/>
   </EntityType>
   <ComplexType Name="Catalog_Пользователи_КонтактнаяИнформация_RowType">
    <Property Name="LineNumber" Type="Edm.Int64"/>
    <Property Name="Тип" Type="Edm.String"/>
    <Property Name="Представление" Type="Edm.String"/>
    <Property Name="Значение" Type="Edm.String"/>
    <Property Name="НомерТелефона" Type="Edm.String"/>
   </ComplexType>
   <EntityType Name="Catalog_Контрагенты">
    <Property Name="Ref_Key" Type="Edm.Guid"/>
    <Property Name="Description" Type="Edm.String"/>
    <Property Name="Партнер_Key" Type="Edm.Guid"/>
    <Property Name="КонтактнаяИнформация" Type="Collection(StandardODATA.Catalog_Пользователи_КонтактнаяИнформация_RowType)"/>
   </EntityType>
   <EntityType Name="Document_ТелефонныйЗвонок">
    <Property Name="Ref_Key" Type="Edm.Guid"/>
    <Property Name="Date" Type="Edm.DateTime"/>
    <Property Name="Number" Type="Edm.String"/>
    <Property Name="АбонентКонтакт" Type="Edm.String"/>
    <Property Name="АбонентКонтакт_Type" Type="Edm.String"/>
    <Property Name="АбонентКакСвязаться" Type="Edm.String"/>
    <Property Name="Ответственный_Key" Type="Edm.Guid"/>
   </EntityType>
   <EntityContainer Name="StandardODATA" m:IsDefaultEntityContainer="true">
    <EntitySet Name="Catalog_Пользователи" EntityType="StandardODATA.Catalog_Пользователи"/>
    <EntitySet Name="Catalog_Контрагенты" EntityType="StandardODATA.Catalog_Контрагенты"/>
    <EntitySet Name="Document_ТелефонныйЗвонок" EntityType="StandardODATA.Document_ТелефонныйЗвонок"/>
   </EntityContainer>
  </Schema>
 </edmx:DataServices>
</edmx:Edmx>)xml";

config::Config trade_config() {
  config::Config c;
  c.onec.url = "http://1c.test/trade/odata/standard.odata/";
  c.onec.user = "odata.user";
  c.onec.user_inactive = {"DeletionMark", "Недействителен"};
  c.onec.client_aliases = {"Партнер"};
  config::DocumentType call;
  call.type = "call";
  call.entity = "Document_ТелефонныйЗвонок";
  call.client = "АбонентКонтакт";
  call.client_phone = "АбонентКакСвязаться";
  call.user = "Ответственный";
  c.documents = {call};
  return c;
}

// The rows of a tabular section given as a JSON array, read as sync reads them.
struct Section {
  onec::Page page;
  explicit Section(const std::string& rows) {
    REQUIRE(page.read(R"({"value": [{"Section": )" + rows + "}]}"));
  }
  std::span<const onec::Row> rows() const { return page.rows()[0].section("Section"); }
};

bool mentions(const std::vector<onec::Problem>& problems, std::string_view text) {
  for (auto& p : problems)
    if (p.message.find(text) != std::string::npos)
      return true;
  return false;
}

// Answers requests from a script and remembers them.
class ScriptedHttp : public http::Client {
public:
  std::deque<http::Response> answers;
  int network_failures = 0;
  std::vector<http::Request> seen;
  http::Response send(const http::Request& request) override {
    seen.push_back(request);
    if (network_failures > 0) {
      --network_failures;
      throw http::NetworkError("GET http://1c.test/: Connection refused");
    }
    REQUIRE(!answers.empty());
    auto r = answers.front();
    answers.pop_front();
    return r;
  }
};

http::Response page(std::vector<std::string> refs, bool bom = true) {
  nlohmann::json rows = nlohmann::json::array();
  for (auto& r : refs)
    rows.push_back({{"Ref_Key", r}, {"Description", "x"}});
  http::Response resp;
  resp.status = 200;
  resp.headers = {{"Content-Type", "application/json;charset=utf-8"}};
  resp.body =
      (bom ? "\xEF\xBB\xBF" : "") + nlohmann::json{{"odata.metadata", "…"}, {"value", rows}}.dump();
  return resp;
}

http::Response error(long status, std::string code, std::string message) {
  http::Response resp;
  resp.status = status;
  resp.body = nlohmann::json{{"odata.error",
                              {{"code", code}, {"message", {{"lang", "ru"}, {"value", message}}}}}}
                  .dump();
  return resp;
}

} // namespace

TEST_CASE("$metadata: sets, properties and tabular section row types", "[onec]") {
  auto md = onec::parse_metadata(k_csdl);
  REQUIRE(md.sets.size() == 3);
  auto& users = md.sets.at("Catalog_Пользователи");
  CHECK(users.properties.at("Недействителен") == "Edm.Boolean");
  auto* rows = md.section(users, "КонтактнаяИнформация");
  REQUIRE(rows);
  CHECK(rows->properties.count("Представление") == 1);
  CHECK(md.section(users, "Description") == nullptr);
  CHECK_THROWS_WITH(onec::parse_metadata("<html><body>Login</body></html>"),
                    Catch::Contains("no <Schema>"));
  CHECK_THROWS_WITH(onec::parse_metadata("{\"not\": xml"), Catch::Contains("not XML"));
}

TEST_CASE("mapping: 1C attribute names resolve to OData properties", "[onec]") {
  auto md = onec::parse_metadata(k_csdl);
  std::vector<onec::Problem> problems;
  auto m = onec::resolve(trade_config(), md, problems);
  INFO((problems.empty() ? "" : problems.front().message));
  REQUIRE(problems.empty());
  CHECK(m.users.name.property == "Description");
  CHECK(m.users.extension_from_contacts);
  CHECK(m.users.contacts.has_value_json);
  CHECK(m.clients.aliases.at(0).property == "Партнер_Key");
  REQUIRE(m.documents.size() == 1);
  auto& d = m.documents[0];
  CHECK(d.client.kind == onec::Field::Kind::composite);
  CHECK(d.client.property == "АбонентКонтакт");
  CHECK(d.user.kind == onec::Field::Kind::reference);
  CHECK(d.user.property == "Ответственный_Key");
  CHECK(d.date.type == "Edm.DateTime");
}

TEST_CASE("mapping: every problem is reported with its fix", "[onec]") {
  auto md = onec::parse_metadata(k_csdl);
  auto c = trade_config();
  c.onec.clients = "Catalog_Контрагент"; // a typo
  c.documents[0].date = "Number";        // a string, not a date
  c.documents[0].user = "Автор";         // absent
  c.documents[0].client_types = {"Catalog_Партнеры"};
  config::DocumentType order;
  order.type = "order";
  order.entity = "Document_ЗаказКлиента"; // not published
  order.client = "Контрагент";
  order.user = "Менеджер";
  c.documents.push_back(order);
  std::vector<onec::Problem> problems;
  onec::resolve(c, md, problems);
  CHECK(problems.size() == 5);
  CHECK(mentions(problems, "does not publish Catalog_Контрагент (did you mean "
                           "'Catalog_Контрагенты'?)"));
  CHECK(mentions(problems, "Document_ТелефонныйЗвонок.Number is Edm.String, not Edm.DateTime"));
  CHECK(mentions(problems, "Document_ТелефонныйЗвонок has no attribute 'Автор'"));
  CHECK(mentions(problems, "client_types names Catalog_Партнеры"));
  CHECK(mentions(problems, "«Настройки стандартного интерфейса OData»"));
}

TEST_CASE("contact information: numbers people type in 1C", "[onec]") {
  phone::Normalizer normalizer;
  onec::Contacts contacts{"КонтактнаяИнформация", true, true};
  Section rows(R"([
    {"Тип": "Телефон", "Представление": "+7 (495) 123-45-67, доб. 204", "НомерТелефона": "74951234567",
     "Значение": "{\"version\":5,\"value\":\"+7 (495) 123-45-67, доб. 204\",\"type\":\"Телефон\",\"countryCode\":\"+7\",\"areaCode\":\"495\",\"number\":\"123-45-67\",\"extNumber\":\"204\"}"},
    {"Тип": "АдресЭлектроннойПочты", "Представление": "info@romashka.example", "Значение": ""},
    {"Тип": "Телефон", "Представление": "8 912 345-67-89; 8(912)000-11-22", "НомерТелефона": "89123456789;8(912)00", "Значение": ""},
    {"Тип": "Телефон", "Представление": "+7 921 555-01-02, +7 921 555-01-03", "Значение": ""},
    {"Тип": "Телефон", "Представление": "звонить секретарю", "НомерТелефона": "", "Значение": ""},
    {"Тип": "Телефон", "Представление": "+7 (495) 123-45-67", "Значение": ""}
  ])");
  auto found = onec::read_phones(rows.rows(), contacts, "Телефон", normalizer);
  REQUIRE(found.numbers.size() == 5);
  CHECK(found.numbers[0].number.value == "+74951234567");
  CHECK(found.numbers[0].raw == "+7 (495) 123-45-67, доб. 204");
  CHECK(found.extension == "204");
  CHECK(found.numbers[1].number.value == "+79123456789");
  CHECK(found.numbers[1].raw == "8 912 345-67-89");
  CHECK(found.numbers[2].number.value == "+79120001122");
  CHECK(found.numbers[3].number.value == "+79215550102");
  CHECK(found.numbers[4].number.value == "+79215550103");
  REQUIRE(found.invalid.size() == 1);
  CHECK(found.invalid[0] == "звонить секретарю");

  // A user whose only phone row is the short internal number.
  Section desk(R"([{"Тип": "Телефон", "Представление": "312"}])");
  auto user = onec::read_phones(desk.rows(), contacts, "Телефон", normalizer);
  CHECK(user.numbers.empty());
  CHECK(user.extension == "312");
}

TEST_CASE("document window: naive local time of the 1C server, plus the filter", "[onec]") {
  config::DocumentType t;
  t.filter = "Posted eq true";
  onec::DocumentMapping d;
  d.type = &t;
  d.date.property = "Date";
  // 2026-08-28T21:00:00Z is midnight in Moscow.
  CHECK(onec::window_filter(d, 1787950800, "Europe/Moscow") ==
        "Date ge datetime'2026-08-29T00:00:00' and (Posted eq true)");
}

TEST_CASE("OData errors name what to check", "[onec]") {
  auto text = [](const http::Response& r) { return onec::describe_error(r, "Catalog_X", "Иван"); };
  CHECK_THAT(text(error(401, "20", "Нет прав")),
             Catch::Contains("refused user 'Иван'") && Catch::Contains("УдаленныйДоступOData"));
  CHECK_THAT(text(error(404, "6", "Сегмент пути Catalog_X не найден!")),
             Catch::Contains("no such entity set") &&
                 Catch::Contains("«Настройки стандартного интерфейса OData»"));
  CHECK_THAT(text(error(400, "6", "Сегмент пути Телефон не найден!")),
             Catch::Contains("code 6") && Catch::Contains("Телефон") &&
                 Catch::Contains("sync --check"));
  CHECK_THAT(text(error(400, "14", "Ошибка разбора")),
             Catch::Contains("code 14") && Catch::Contains("filter"));
  http::Response html;
  html.status = 502;
  html.headers = {{"Content-Type", "text/html"}};
  html.body = "<html><head><title>502 Bad Gateway</title></head></html>";
  CHECK_THAT(text(html), Catch::Contains("HTTP 502") && Catch::Contains("502 Bad Gateway") &&
                             Catch::Contains("web server or proxy"));
  // A wrong publication path: the web server's own 404 page, not 1C's "no such entity set".
  html.status = 404;
  html.body = "<!DOCTYPE html>\n<html><head><title>404 - File or directory not found.</title>";
  CHECK_THAT(text(html), Catch::Contains("HTTP 404 with its own page") &&
                             Catch::Contains("check onec.url") &&
                             !Catch::Contains("no such entity set"));
}

TEST_CASE("scan: keyset pages in 1C's order, encoded URLs, retries", "[onec]") {
  config::OnecSection s;
  s.url = "http://1c.test/trade/odata/standard.odata/";
  s.user = "Иван";
  s.page_size = 2;
  s.retries = 1;
  ScriptedHttp http;
  onec::OData odata(http, s, "пароль");
  std::vector<std::string> got;
  auto collect = [&](const onec::Page& page) {
    for (auto& r : page.rows())
      got.push_back(std::string(r.text("Ref_Key")));
  };

  SECTION("pages until a short one; the cursor is the last row returned") {
    http.answers = {
        page({"3f2a0000-0000-0000-0000-000000000002", "0a9d0000-0000-0000-0000-000000000001"}),
        page({"51c70000-0000-0000-0000-000000000003"}, false)};
    odata.scan("Catalog_Пользователи", {"Ref_Key,Description", "DeletionMark eq false"}, collect);
    CHECK(got.size() == 3);
    REQUIRE(http.seen.size() == 2);
    CHECK(http.seen[0].url ==
          "http://1c.test/trade/odata/standard.odata/"
          "Catalog_%D0%9F%D0%BE%D0%BB%D1%8C%D0%B7%D0%BE%D0%B2%D0%B0%D1%82%D0%B5%D0%BB%D0%B8"
          "?$format=json&$select=Ref_Key%2CDescription&$filter=DeletionMark%20eq%20false"
          "&$orderby=Ref_Key&$top=2");
    CHECK_THAT(http.seen[1].url,
               Catch::Contains("$filter=%28DeletionMark%20eq%20false%29%20and%20Ref_Key%20gt%20"
                               "guid%270a9d0000-0000-0000-0000-000000000001%27"));
    CHECK(http.seen[0].basic_user == "Иван");
    CHECK(http.seen[0].basic_password == "пароль");
  }
  SECTION("503 and a refused connection are retried; the data still arrives") {
    http::Response busy;
    busy.status = 503;
    busy.body = "<html>Service Unavailable</html>";
    http.answers = {busy, page({"3f2a0000-0000-0000-0000-000000000002"})};
    odata.scan("Catalog_X", {}, collect);
    CHECK(got.size() == 1);
    CHECK(odata.stats().retries == 1);
    http.network_failures = 1;
    http.answers = {page({})};
    odata.scan("Catalog_X", {}, collect);
    CHECK(odata.stats().retries == 2);
  }
  SECTION("500 from 1C is not retried") {
    http.answers = {error(500, "-1", "Произошла внутренняя ошибка OData сервиса")};
    CHECK_THROWS_WITH(odata.scan("Catalog_X", {}, collect),
                      Catch::Contains("HTTP 500") && Catch::Contains("внутренняя ошибка"));
    CHECK(http.seen.size() == 1);
  }
  SECTION("a network error that persists names the address to check") {
    http.network_failures = 5;
    CHECK_THROWS_WITH(odata.scan("Catalog_X", {}, collect),
                      Catch::Contains("after 2 attempts") && Catch::Contains("onec.url"));
  }
  SECTION("a page that is not JSON") {
    http::Response login;
    login.status = 200;
    login.headers = {{"Content-Type", "text/html"}};
    login.body = "<html>Вход в 1С</html>";
    http.answers = {login};
    CHECK_THROWS_WITH(odata.scan("Catalog_X", {}, collect),
                      Catch::Contains("not JSON") && Catch::Contains("text/html"));
  }
}

TEST_CASE("page: rows, cells and tabular sections of 1C's JSON, memory reused", "[onec]") {
  onec::Page page;
  REQUIRE(page.read(R"js({"odata.metadata": "http://1c/$metadata#Catalog_X",
    "value": [
      {"Ref_Key": "3f2a1c10-6e0b-11ee-8f3a-005056a1c2d3", "DeletionMark": false, "Code": "  00012 ",
       "LineNumber": "1", "Сумма": 28990, "Доля": 0.25, "Пусто": null, "Описание": "a \"b\" \u0436",
       "X@navigationLinkUrl": "Catalog_X(guid'…')", "Obj": {"a": [1, {"b": 2}]},
       "КонтактнаяИнформация": [{"Тип": "Телефон", "Представление": "+7 921 555-01-02"},
                                {"Тип": "АдресЭП", "Вложено": {"x": 1}, "Представление": "a@b"}]},
      {"Ref_Key": "0a9d44b2-9c41-11ee-8f3a-005056a1c2d3", "DeletionMark": true},
      17
    ]})js"));
  REQUIRE(page.has_value());
  auto rows = page.rows();
  REQUIRE(rows.size() == 3);
  auto& r = rows[0];
  CHECK(r.text("Ref_Key") == "3f2a1c10-6e0b-11ee-8f3a-005056a1c2d3");
  CHECK(!r.flag("DeletionMark"));
  CHECK(rows[1].flag("DeletionMark"));
  CHECK(r.text("Code") == "  00012 ");
  CHECK(r.text("Сумма").empty()); // a number is not text
  REQUIRE(r.find("Сумма"));
  CHECK(r.find("Сумма")->text == "28990");
  CHECK(r.find("Доля")->text == "0.25");
  CHECK(r.find("Пусто")->type == onec::Cell::Type::null);
  CHECK(r.text("Описание") == "a \"b\" ж");
  CHECK(r.find("Obj")->type == onec::Cell::Type::null); // objects in cells are skipped
  auto contacts = r.section("КонтактнаяИнформация");
  REQUIRE(contacts.size() == 2);
  CHECK(contacts[0].text("Представление") == "+7 921 555-01-02");
  CHECK(contacts[1].text("Представление") == "a@b");
  CHECK(r.section("Ref_Key").empty());
  CHECK(rows[2].cells().empty()); // not an object: a row without properties
  CHECK(r.text("Нет").empty());

  // The next page overwrites the last one.
  REQUIRE(page.read(R"js({"value": [{"Ref_Key": "51c7e2a4-6e0b-11ee-8f3a-005056a1c2d3"}]})js"));
  REQUIRE(page.rows().size() == 1);
  CHECK(page.rows()[0].text("Ref_Key") == "51c7e2a4-6e0b-11ee-8f3a-005056a1c2d3");
  CHECK(page.rows()[0].section("КонтактнаяИнформация").empty());
  REQUIRE(page.read(R"js({"value": []})js"));
  CHECK(page.has_value());
  CHECK(page.rows().empty());

  REQUIRE(page.read(R"js({"odata.error": {"code": "6"}})js"));
  CHECK(!page.has_value());
  CHECK(!page.read("<html>502 Bad Gateway</html>"));
  CHECK(!page.read(R"js({"value": [{"Ref_Key": "x"}])js"));

  // One object as the only row (a contact's Значение).
  REQUIRE(page.read_object(
      R"js({"version": 5, "countryCode": "+7", "number": "123-45-67", "ext": {"a": "b"}, "n": "\u0430"})js"));
  REQUIRE(page.rows().size() == 1);
  CHECK(page.rows()[0].text("countryCode") == "+7");
  CHECK(page.rows()[0].text("number") == "123-45-67");
  CHECK(page.rows()[0].text("version").empty()); // a number, not a string
  CHECK(page.rows()[0].text("ext").empty());
  CHECK(page.rows()[0].text("n") == "а");
  REQUIRE(page.read_object(R"js("+7 495 123-45-67")js"));
  CHECK(page.rows().empty());
  CHECK(!page.read_object(R"js({"number": "1"} trailing)js"));
  CHECK(!page.read_object(R"js({"number": "1"}], "value": [{"number": "2"})js"));
  CHECK(!page.read_object(R"js({"number": "1")js"));
}

TEST_CASE("refs: GUIDs as bytes in text order, looked up in a sorted index", "[onec]") {
  auto a = onec::parse_guid("3f2a1c10-6e0b-11ee-8f3a-005056a1c2d3");
  REQUIRE(a);
  CHECK(onec::parse_guid("3F2A1C10-6E0B-11EE-8F3A-005056A1C2D3") == a);
  CHECK(!onec::parse_guid("3f2a1c10-6e0b-11ee-8f3a-005056a1c2d"));
  CHECK(!onec::parse_guid("3f2a1c10x6e0b-11ee-8f3a-005056a1c2d3"));
  CHECK(!onec::parse_guid("3f2a1c10-6e0b-11ee-8f3a-005056a1c2dg"));
  CHECK(onec::format_guid(*a) == "3f2a1c10-6e0b-11ee-8f3a-005056a1c2d3");
  CHECK(onec::format_guid(*onec::parse_guid("0A9D44B2-9C41-11EE-8F3A-005056A1C2D3")) ==
        "0a9d44b2-9c41-11ee-8f3a-005056a1c2d3");
  CHECK(onec::format_guid({}) == "00000000-0000-0000-0000-000000000000");
  auto b = onec::parse_guid("3f2a1c10-6e0b-11ee-8f3a-005056a1c2d4");
  auto c = onec::parse_guid("0a9d44b2-9c41-11ee-8f3a-005056a1c2d3");
  CHECK(*c < *a);
  CHECK(*a < *b);
  // 1C's order: the groups d, e, c, b, a of the text.
  auto d1 = onec::parse_guid("ffffffff-ffff-ffff-0001-000000000000");
  auto d2 = onec::parse_guid("00000000-0000-0000-0002-000000000000");
  CHECK(*d2 < *d1);
  CHECK(onec::onec_order(*d1) < onec::onec_order(*d2));
  CHECK(onec::onec_order(*onec::parse_guid("00000002-0000-0001-0000-000000000000")) <
        onec::onec_order(*onec::parse_guid("00000001-0000-0002-0000-000000000000")));
  CHECK(onec::onec_order(*onec::parse_guid("00000002-0001-0000-0000-000000000000")) <
        onec::onec_order(*onec::parse_guid("00000001-0002-0000-0000-000000000000")));
  CHECK(onec::onec_order(*onec::parse_guid("00000001-0002-0000-0000-000000000000")) <
        onec::onec_order(*onec::parse_guid("00000002-0002-0000-0000-000000000000")));
  onec::RefIndex index;
  index.add(*b, 7);
  index.add(*a, 9);
  index.add(*a, 3); // of two ids, the smaller wins
  index.seal();
  CHECK(index.size() == 2);
  CHECK(index.find(*a) == 3);
  CHECK(index.find(*b) == 7);
  CHECK(!index.find(*c));
}

TEST_CASE("page: strict JSON, escapes and numbers as 1C may send them", "[onec]") {
  onec::Page page;
  auto one = [&](const std::string& value) -> std::string {
    if (!page.read(R"({"value": [{"x": )" + value + "}]}"))
      return "<error>";
    auto* c = page.rows()[0].find("x");
    return c ? c->text : "<none>";
  };
  CHECK(one(R"("\u0416\u0436 \"q\" \\ \/ \b\f\n\r\t")") == "Жж \"q\" \\ / \b\f\n\r\t");
  CHECK(one(R"("\ud83d\ude00")") == "\xF0\x9F\x98\x80"); // a surrogate pair
  CHECK(one(R"("\u00e9\u0800")") == "\xC3\xA9\xE0\xA0\x80");
  CHECK(one(R"("\ud83d")") == "<error>"); // a lone surrogate
  CHECK(one(R"("\ude00")") == "<error>");
  CHECK(one(R"("\x")") == "<error>");
  CHECK(one(R"("\u12")") == "<error>");
  CHECK(one("\"a\tb\"") == "<error>"); // control characters must be escaped
  CHECK(one("\"Ромашка\"") == "Ромашка");
  for (auto n : {"0", "-0", "28990", "-12.5", "1e5", "1.5E-3", "0.25"})
    CHECK(one(n) == n);
  for (auto n : {"01", "-", "1.", ".5", "1e", "+1", "0x10", "NaN"})
    CHECK(one(n) == "<error>");
  CHECK(one("true") == "true");
  CHECK(one("nul") == "<error>");
  CHECK(!page.read(R"({"value": [1,]})"));                          // trailing comma
  CHECK(!page.read(R"({"value": [1]} x)"));                         // trailing text
  CHECK(!page.read(R"({"value" [1]})"));                            // no colon
  CHECK(!page.read(R"({value: [1]})"));                             // unquoted key
  CHECK(!page.read(R"({"value": [1])"));                            // cut off
  CHECK(page.read(" \r\n\t{ \"value\" : [ ] } \n"));                // whitespace anywhere
  CHECK(!page.read(std::string(100, '[') + std::string(100, ']'))); // too deep
}

TEST_CASE("page: random strings read as nlohmann reads them", "[onec]") {
  // Quotes, backslashes, escapes, control characters and multi-byte letters at every offset, in
  // strings of every length up to 40, and documents cut off anywhere.
  onec::Page page;
  std::mt19937 random(7);
  const std::vector<std::string> pieces = {"a",   "7",       "Ж", "\\\"", "\\\\",
                                           "\\n", "\\u0416", "-", " ",    "\x7f"};
  for (int round = 0; round < 4000; ++round) {
    std::string text;
    auto length = random() % 41;
    while (text.size() < length)
      text += pieces[random() % pieces.size()];
    if (round % 50 == 0)
      text.insert(random() % (text.size() + 1), 1, char(random() % 0x20)); // a raw control byte
    std::string json = R"({"value": [{"x": ")" + text + R"("}]})";
    if (round % 7 == 0)
      json.resize(random() % json.size()); // cut off
    bool valid = nlohmann::json::accept(json);
    INFO(json);
    REQUIRE(page.read(json) == valid);
    if (valid)
      CHECK(page.rows()[0].text("x") ==
            nlohmann::json::parse(json)["value"][0]["x"].get<std::string>());
  }
}

TEST_CASE("page: the 1C fixtures read as nlohmann reads them", "[onec]") {
  for (auto name : {"users.json", "clients-page1.json", "clients-page2.json", "calls.json",
                    "orders.json", "trade.json", "accounting.json"}) {
    std::ifstream in(std::string(SMARTROUTE_SOURCE_DIR) + "/tests/doubles/onec/" + name);
    REQUIRE(in);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto doc = nlohmann::json::parse(text);
    // trade.json and accounting.json hold rows by set: read each set as a page.
    std::vector<nlohmann::json> pages;
    if (doc.contains("value"))
      pages.push_back(doc);
    else
      for (auto& [set, rows] : doc["rows"].items())
        pages.push_back({{"value", rows}});
    for (auto& expected : pages) {
      onec::Page page;
      REQUIRE(page.read(expected.dump()));
      REQUIRE(page.rows().size() == expected["value"].size());
      for (std::size_t i = 0; i < page.rows().size(); ++i) {
        auto& want = expected["value"][i];
        auto& got = page.rows()[i];
        REQUIRE(got.cells().size() == want.size());
        for (auto& [key, value] : want.items()) {
          INFO(name << " row " << i << " " << key);
          if (value.is_string())
            CHECK(got.text(key) == value.get<std::string>());
          else if (value.is_boolean())
            CHECK(got.flag(key) == value.get<bool>());
          else if (value.is_array()) {
            REQUIRE(got.section(key).size() == value.size());
            for (std::size_t j = 0; j < value.size(); ++j)
              for (auto& [column, cell] : value[j].items())
                if (cell.is_string())
                  CHECK(got.section(key)[j].text(column) == cell.get<std::string>());
          } else if (value.is_number())
            CHECK(got.find(key)->text == value.dump());
        }
      }
    }
  }
}

TEST_CASE("refs: a cursor finds keys in and out of order", "[onec]") {
  struct Item {
    onec::Guid key;
    int value;
  };
  std::vector<Item> items;
  for (int i = 0; i < 1000; ++i)
    items.push_back({onec::Guid{0, std::uint64_t(3 * i)}, i});
  onec::SortedCursor cursor(items);
  auto at = [&](std::uint64_t k) {
    auto* it = cursor.find(onec::Guid{0, k});
    return it ? it->value : -1;
  };
  for (int i = 0; i < 1000; i += 7) // ascending, with gaps
    CHECK(at(std::uint64_t(3 * i)) == i);
  CHECK(at(3 * 999) == 999);
  CHECK(at(3 * 5) == 5); // behind the cursor
  CHECK(at(3 * 6) == 6);
  CHECK(at(3 * 6 + 1) == -1); // absent, between two keys
  CHECK(at(3 * 7) == 7);
  CHECK(at(0) == 0);
  CHECK(at(5000) == -1); // beyond the last
  CHECK(at(3 * 998) == 998);
  std::vector<Item> none;
  onec::SortedCursor empty(none);
  CHECK(!empty.find(onec::Guid{}));
}
