package io.paystream.local.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.text.NumberFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.Locale;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import io.paystream.local.SharedStack;
import io.paystream.local.StackSlots;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator console in a real browser: Debian's headless Chromium, driven through Debian's chromedriver, against
 * the real processor (which serves the console) and the real ingress (which takes its writes, across origins), both
 * with their shipped configs, on an in-process broker. Screenshots of each page go to
 * target/console-screenshots/.
 */
@ResourceLock(value = StackSlots.MACHINE, mode = ResourceAccessMode.READ)
@ExtendWith(SharedStack.class)
class ConsoleBrowserIT {
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final Path SCREENSHOTS = Path.of("target/console-screenshots");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "local-dev-key";

    private static ChromeDriver browser;
    private static String console;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        console = "http://127.0.0.1:" + SharedStack.get().queryPort() + "/console/";
        Files.createDirectories(SCREENSHOTS);
        browser = startBrowser();
    }

    /** Debian's chromium and chromedriver, by path, so that Selenium never looks for (or downloads) either. */
    private static ChromeDriver startBrowser() throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        // The machine's network is closed: without the background-networking flags Chromium keeps trying to reach
        // Google's services. No GPU and no sandbox in a container.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--no-first-run", "--window-size=1280,1100",
                "--user-data-dir=" + Files.createTempDirectory("chromium-profile"));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().implicitlyWait(Duration.ZERO);
        return driver;
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
    }

    @BeforeEach
    void signedOut() {
        browser.get(console);
        ((JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
        browser.navigate().refresh();
        waitFor("api-key");
        errors();
    }

    @Test
    void aWrongKeyIsRefusedAndNotKept() throws Exception {
        type("api-key", "not-a-key");
        click("sign-in");
        await().atMost(SETTLE).until(() -> !browser.findElements(testId("sign-in-error")).isEmpty());
        assertThat(text("sign-in-error")).contains("refused");
        assertThat(browser.findElements(testId("nav-overview"))).isEmpty();
        assertThat(((JavascriptExecutor) browser).executeScript(
                "return sessionStorage.getItem('paystream.apiKey')")).isNull();
        screenshot("sign-in-refused");
    }

    @Test
    void everyPageLoadsWithoutConsoleErrors() throws Exception {
        openAccount("ui-page", "USD", 1_000);
        signIn();
        List<String> seen = new ArrayList<>();
        for (String page : List.of("overview", "accounts", "payments", "dead-letters", "simulator")) {
            click("nav-" + page);
            waitFor("page-" + page);
            // Each page's first answer: a table, a figure or its empty state.
            await().atMost(SETTLE).until(() -> switch (page) {
                case "overview" -> present("stats-USD") || present("no-stats");
                case "accounts" -> present("accounts-table");
                case "payments" -> present("payment-form");
                case "dead-letters" -> present("dead-letters-table") || present("no-dead-letters");
                default -> present("sim-start");
            });
            Thread.sleep(300);
            screenshot(page);
            seen.addAll(errors());
        }
        assertThat(seen).as("errors in the browser's console").isEmpty();
    }

    @Test
    void balancesShownEqualTheApisAndAnAccountCanBeFrozen() throws Exception {
        openAccount("ui-alice", "USD", 12_345);
        openAccount("ui-bob", "USD", 600);
        signIn();
        click("nav-accounts");
        type("account-prefix", "ui-");
        click("account-search");
        await().atMost(SETTLE).until(() -> present("account-row-ui-alice") && present("account-row-ui-bob"));
        for (String account : List.of("ui-alice", "ui-bob")) {
            JsonNode api = account(account);
            assertThat(browser.findElement(testId("account-row-" + account)).getText())
                    .contains(money(api.get("balance").asLong()) + " USD");
        }
        browser.findElement(By.linkText("ui-alice")).click();
        await().atMost(SETTLE).until(() -> present("balance"));
        JsonNode alice = account("ui-alice");
        assertThat(text("balance")).isEqualTo(money(alice.get("balance").asLong()) + " USD");
        assertThat(text("available")).isEqualTo(money(alice.get("available").asLong()) + " USD");
        assertThat(text("held")).isEqualTo(money(alice.get("held").asLong()) + " USD");
        screenshot("account");

        click("freeze");
        await().atMost(SETTLE).until(() -> account("ui-alice").get("status").asText().equals("FROZEN"));
        await().atMost(SETTLE).until(() -> text("account-status").equals("FROZEN"));
        assertThat(errors()).isEmpty();
    }

    @Test
    void aPaymentCreatedInTheFormShowsUpCompletedInItsTimeline() throws Exception {
        openAccount("ui-carol", "USD", 5_000);
        openAccount("ui-dave", "USD", 0);
        signIn();
        click("nav-payments");
        type("payment-from", "ui-carol");
        type("payment-to", "ui-dave");
        type("payment-amount", "12.50");
        String idempotencyKey = text("idempotency-key");
        assertThat(idempotencyKey).matches("[0-9a-f-]{36}");
        click("payment-submit");

        await().atMost(SETTLE).until(() -> browser.getCurrentUrl().contains("#/payments/")
                && present("payment-status") && text("payment-status").equals("COMPLETED"));
        assertThat(text("timeline")).contains("Requested").contains("COMPLETED");
        String paymentId = browser.getCurrentUrl().substring(browser.getCurrentUrl().indexOf("#/payments/") + 11);
        JsonNode payment = get("/v1/payments/" + paymentId);
        assertThat(payment.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(payment.get("amount").asLong()).isEqualTo(1_250);
        assertThat(account("ui-dave").get("balance").asLong()).isEqualTo(1_250);
        screenshot("payment");
        // Only the lookups that raced the processor (the ingress answers first) may have failed, with a 404.
        assertThat(errors()).allMatch(e -> e.contains("/v1/payments/" + paymentId) && e.contains("404"));
    }

    @Test
    void anAtomicBatchShowsItsStatusItsFailureAndItsPayments() throws Exception {
        openAccount("ui-buyer", "USD", 1_000);
        openAccount("ui-seller", "USD", 0);
        openAccount("ui-fee", "USD", 0);
        String split = postBatch("ui-split-" + UUID.randomUUID(), "{\"atomic\":true,\"payments\":["
                + uiLeg("ui-buyer", "ui-seller", 800) + "," + uiLeg("ui-buyer", "ui-fee", 150) + "]}");
        String failed = postBatch("ui-failed-" + UUID.randomUUID(), "{\"atomic\":true,\"payments\":["
                + uiLeg("ui-buyer", "ui-seller", 10) + "," + uiLeg("ui-buyer", "ui-nobody", 10) + "]}");
        signIn();
        click("nav-payments");
        type("batch-id", split);
        click("batch-lookup");

        await().atMost(SETTLE).until(() -> present("batch-status") && text("batch-status").equals("COMPLETED"));
        assertThat(text("batch-mode")).isEqualTo("atomic");
        assertThat(text("batch-counts")).isEqualTo("COMPLETED 2");
        assertThat(text("batch-row-1")).contains(io.paystream.schemas.BatchIds.paymentId(split, 1)).contains("COMPLETED");
        screenshot("batch");
        browser.findElement(testId("batch-row-0")).findElement(By.tagName("a")).click();
        await().atMost(SETTLE).until(() -> present("payment-batch"));
        assertThat(text("payment-batch")).isEqualTo("atomic, #0 of 2");

        browser.get(browser.getCurrentUrl().substring(0, browser.getCurrentUrl().indexOf('#')) + "#/batches/" + failed);
        await().atMost(SETTLE).until(() -> present("batch-status") && text("batch-status").equals("REJECTED"));
        assertThat(text("batch-failure")).startsWith("Payment 1 failed: ACCOUNT_NOT_FOUND");
        assertThat(text("batch-row-0")).contains("ATOMIC_BATCH_FAILED");
        assertThat(account("ui-buyer").get("balance").asLong()).isEqualTo(50);
        assertThat(account("ui-buyer").get("held").asLong()).isZero();
        // Only the lookups that raced the processor (the ingress answers first) may have failed, with a 404.
        assertThat(errors()).allMatch(e -> e.contains("404"));
    }

    private static String uiLeg(String from, String to, long amount) {
        return "{\"type\":\"TRANSFER\",\"from\":\"" + from + "\",\"to\":\"" + to + "\",\"amount\":" + amount
                + ",\"currency\":\"USD\"}";
    }

    /** Posts a batch and returns its id. */
    private String postBatch(String idempotencyKey, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + SharedStack.get().ingressPort() + "/v1/payment-batches")).header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json").header("Idempotency-Key", idempotencyKey)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return JSON.readTree(response.body()).get("batchId").asText();
    }

    /** JPY has no decimals and KWD three: what a person types and reads is in each currency's own minor unit. */
    @Test
    void amountsAreTypedAndShownInEachCurrencysOwnDecimals() throws Exception {
        openAccount("ui-yen", "JPY", 0);
        openAccount("ui-dinar", "KWD", 0);
        signIn();
        click("nav-payments");
        browser.findElement(By.cssSelector("[data-testid='payment-type'] option[value='TOPUP']")).click();
        type("payment-to", "ui-yen");
        type("payment-currency", "JPY");
        type("payment-amount", "1000.5");
        click("payment-submit");
        await().atMost(SETTLE).until(() -> present("payment-invalid"));
        assertThat(text("payment-invalid")).contains("whole number");

        type("payment-amount", "1000");
        click("payment-submit");
        await().atMost(SETTLE).until(() -> browser.getCurrentUrl().contains("#/payments/")
                && present("payment-status") && text("payment-status").equals("COMPLETED"));
        assertThat(text("timeline")).contains("TOPUP of 1,000 JPY");
        assertThat(account("ui-yen").get("balance").asLong()).as("¥1,000, not ¥100,000").isEqualTo(1_000);

        click("nav-payments");
        browser.findElement(By.cssSelector("[data-testid='payment-type'] option[value='TOPUP']")).click();
        type("payment-to", "ui-dinar");
        type("payment-currency", "KWD");
        type("payment-amount", "1.5");
        click("payment-submit");
        await().atMost(SETTLE).until(() -> browser.getCurrentUrl().contains("#/payments/")
                && present("payment-status") && text("payment-status").equals("COMPLETED"));
        assertThat(text("timeline")).contains("TOPUP of 1.500 KWD");
        assertThat(account("ui-dinar").get("balance").asLong()).isEqualTo(1_500);

        click("nav-accounts");
        type("account-prefix", "ui-");
        click("account-search");
        await().atMost(SETTLE).until(() -> present("account-row-ui-yen") && present("account-row-ui-dinar"));
        assertThat(browser.findElement(testId("account-row-ui-yen")).getText()).contains("1,000 JPY");
        assertThat(browser.findElement(testId("account-row-ui-dinar")).getText()).contains("1.500 KWD");
        screenshot("currencies");
        assertThat(errors()).allMatch(e -> e.contains("/v1/payments/") && e.contains("404"));
    }

    @Test
    void theSimulatorRunsFromItsPanelAndTheOverviewChartsWhatItSent() throws Exception {
        signIn();
        click("nav-simulator");
        type("sim-rate", "10");
        type("sim-duration", "4");
        type("sim-accounts", "4");
        click("sim-start");
        await().atMost(SETTLE).until(() -> present("sim-state") && text("sim-state").equals("FINISHED"));
        assertThat(Long.parseLong(text("sim-sent"))).isPositive();
        screenshot("simulator");

        click("nav-overview");
        await().atMost(SETTLE).pollInterval(Duration.ofSeconds(1)).until(() -> {
            browser.navigate().refresh();
            waitFor("page-overview");
            return present("volume-USD") && !text("volume-USD").startsWith("0.00");
        });
        JsonNode stats = get("/v1/stats?window=1h");
        assertThat(stats.get("currencies").findValuesAsText("currency")).contains("USD", "EUR");
        screenshot("overview");
        assertThat(errors()).isEmpty();
    }

    /** A hold made in the form is captured from its page, then partly refunded; the page follows each step. */
    @Test
    void aHoldIsCapturedAndRefundedFromItsPage() throws Exception {
        openAccount("ui-erin", "USD", 8_000);
        openAccount("ui-frank", "USD", 0);
        signIn();
        click("nav-payments");
        type("payment-from", "ui-erin");
        type("payment-to", "ui-frank");
        type("payment-amount", "30.00");
        browser.findElement(testId("payment-capture")).findElement(By.cssSelector("option[value=MANUAL]")).click();
        click("payment-submit");
        await().atMost(SETTLE).until(() -> present("payment-status") && text("payment-status").equals("AUTHORIZED"));
        assertThat(account("ui-erin").get("held").asLong()).isEqualTo(3_000);

        click("capture");
        await().atMost(SETTLE).until(() -> text("payment-status").equals("COMPLETED"));
        assertThat(text("timeline")).contains("CAPTURE SUCCEEDED");
        assertThat(account("ui-frank").get("balance").asLong()).isEqualTo(3_000);

        type("refund-amount", "7.25");
        click("refund");
        await().atMost(SETTLE).until(() -> text("timeline").contains("REFUND SUCCEEDED"));
        assertThat(account("ui-frank").get("balance").asLong()).isEqualTo(3_000 - 725);
        assertThat(account("ui-erin").get("balance").asLong()).isEqualTo(8_000 - 3_000 + 725);
        screenshot("payment-refunded");
        String paymentId = browser.getCurrentUrl().substring(browser.getCurrentUrl().indexOf("#/payments/") + 11);
        assertThat(errors()).allMatch(e -> e.contains("/v1/payments/" + paymentId) && e.contains("404"));
    }

    /**
     * The simulator's API under its own load: one run at a time, stopped on request (nothing is sent after), and its
     * hostile share (overdrafts, unknown payees, wrong currencies, invalid amounts, retries) moves no money in or out:
     * once its requests settle, the sim- accounts hold exactly what its top-ups put in, and none is overdrawn.
     */
    @Test
    void theSimulatorStopsOnRequestAndItsFailuresMoveNoMoney() throws Exception {
        long before = simBalances();
        HttpResponse<String> started = send("POST", "{\"ratePerSecond\":50,\"durationSeconds\":600,\"accounts\":6}");
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        assertThat(send("POST", "{}").statusCode()).as("a second run while one runs").isEqualTo(409);
        await().atMost(SETTLE).until(() -> get("/v1/simulator").get("sent").asLong() >= 100);

        JsonNode stopped = JSON.readTree(send("DELETE", null).body());
        assertThat(stopped.get("state").asText()).isEqualTo("STOPPED");
        Thread.sleep(1_000);
        assertThat(get("/v1/simulator").get("sent").asLong()).as("sent after the stop")
                .isEqualTo(stopped.get("sent").asLong());
        JsonNode scenarios = stopped.get("scenarios");
        assertThat(scenarios.path("transfer").asLong()).isPositive();
        assertThat(scenarios.path("overdraft").asLong() + scenarios.path("unknown-account").asLong()
                + scenarios.path("currency-mismatch").asLong() + scenarios.path("invalid").asLong()).isPositive();

        // Six accounts, each topped up with 10,000.00 by this run; transfers between them only move it around.
        await().atMost(SETTLE).untilAsserted(() -> assertThat(simBalances()).isEqualTo(before + 6 * 1_000_000L));
        for (JsonNode account : get("/v1/accounts?prefix=sim-&limit=200").get("accounts")) {
            assertThat(account.get("balance").asLong()).as(account.toString()).isNotNegative();
        }
    }

    /** The sum of the sim- accounts' balances; waits out a 503 while the processor's tasks are still starting. */
    private long simBalances() throws Exception {
        HttpResponse<String> listed = await().atMost(SETTLE).until(
                () -> query("/v1/accounts?prefix=sim-&limit=200"), response -> response.statusCode() != 503);
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);
        long total = 0;
        for (JsonNode account : JSON.readTree(listed.body()).get("accounts")) {
            total += account.get("balance").asLong();
        }
        return total;
    }

    private HttpResponse<String> send(String method, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + SharedStack.get().queryPort()
                + "/v1/simulator")).header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    // --- helpers ---

    private void signIn() {
        type("api-key", KEY);
        click("sign-in");
        waitFor("nav-overview");
    }

    private void openAccount(String accountId, String currency, long topUp) throws Exception {
        post("/v1/accounts", null, "{\"accountId\":\"" + accountId + "\",\"currency\":\"" + currency
                + "\",\"type\":\"CUSTOMER\"}");
        await().atMost(SETTLE).until(() -> query("/v1/accounts/" + accountId).statusCode() == 200);
        if (topUp > 0) {
            post("/v1/payments", "topup-" + accountId, "{\"type\":\"TOPUP\",\"to\":\"" + accountId
                    + "\",\"amount\":" + topUp + ",\"currency\":\"" + currency + "\"}");
            await().atMost(SETTLE).until(() -> account(accountId).get("balance").asLong() == topUp);
        }
    }

    private void post(String path, String idempotencyKey, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + SharedStack.get().ingressPort()
                + path)).header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    private HttpResponse<String> query(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + SharedStack.get().queryPort() + path))
                .header("Authorization", "Bearer " + KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = query(path);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private JsonNode account(String accountId) throws Exception {
        return get("/v1/accounts/" + accountId);
    }

    /** As the console shows minor units: 12345 → "123.45". */
    private static String money(long minor) {
        NumberFormat format = NumberFormat.getNumberInstance(Locale.US);
        format.setMinimumFractionDigits(2);
        format.setMaximumFractionDigits(2);
        return format.format(minor / 100.0);
    }

    /** The browser console's errors since the last call (reading them empties the log). */
    private static List<String> errors() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage).toList();
    }

    private static By testId(String id) {
        return By.cssSelector("[data-testid='" + id + "']");
    }

    private static boolean present(String id) {
        return !browser.findElements(testId(id)).isEmpty();
    }

    private static void waitFor(String id) {
        await().atMost(SETTLE).until(() -> present(id));
    }

    private static String text(String id) {
        return browser.findElement(testId(id)).getText().trim();
    }

    private static void type(String id, String value) {
        waitFor(id);
        WebElement input = browser.findElement(testId(id));
        input.clear();
        input.sendKeys(value);
    }

    private static void click(String id) {
        waitFor(id);
        browser.findElement(testId(id)).click();
    }

    private static void screenshot(String name) throws Exception {
        File shot = browser.getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
