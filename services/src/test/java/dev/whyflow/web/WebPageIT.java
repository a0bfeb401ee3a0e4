package dev.whyflow.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whyflow.patterns.LiveIncident;
import dev.whyflow.testing.FlinkTestCluster;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in a real headless Chromium (Debian's chromium and chromium-driver, which ./whyflow
 * setup installs; Selenium is pointed at both binaries and downloads nothing): log in; a trend
 * question draws a line with a point per figure; a breakdown draws bars; a "why" shows its ranked
 * hypotheses; while the simulator streams the slow-checkout incident through PatternJob (on the
 * MiniCluster, alerts committed to their topics in Kafka transactions), its alerts appear in the
 * live panel, and their "why?" answers inline; a thumbs down with a reason lands in the pilot
 * report; a viewer gets no pilot report; a question goes with the keyboard alone, every control has
 * an accessible name, and the page fits a 360 px wide screen. It leaves a screenshot in
 * services/target/web-page.png (the README's picture).
 */
class WebPageIT {

    @RegisterExtension static final MiniClusterExtension FLINK = FlinkTestCluster.extension();

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static WebStack stack;
    private static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        // ./whyflow setup installs them: a machine without them is a broken set-up, and fails here
        // rather than skips
        assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
                .as(
                        "headless Chromium is not installed (/usr/bin/chromium, /usr/bin/chromedriver): ./whyflow setup installs Debian's chromium and chromium-driver")
                .isTrue();
        stack = WebStack.start();
        Path profile = Files.createTempDirectory("whyflow-chromium");
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + profile,
                "--window-size=1280,2000");
        ChromeDriverService driver =
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(CHROMEDRIVER.toFile())
                        .usingAnyFreePort()
                        .build();
        browser = new ChromeDriver(driver, o);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) browser.quit();
        if (stack != null) stack.close();
    }

    private static WebDriverWait waiting(int seconds) {
        return new WebDriverWait(browser, Duration.ofSeconds(seconds));
    }

    private static void login(String user, String secret) {
        browser.get(stack.base + "/");
        waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("login-user")));
        browser.findElement(By.id("login-user")).sendKeys(user);
        browser.findElement(By.id("login-secret")).sendKeys(secret);
        browser.findElement(By.id("login-submit")).click();
        waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("question")));
    }

    private static void ask(String question) {
        ((JavascriptExecutor) browser)
                .executeScript("document.getElementById('answer-question').textContent = ''");
        WebElement box = browser.findElement(By.id("question"));
        box.clear();
        box.sendKeys(question);
        browser.findElement(By.id("ask")).click();
        waiting(90)
                .withMessage(
                        () ->
                                "the answer to \""
                                        + question
                                        + "\"; the page says: "
                                        + browser.findElement(By.id("status")).getText()
                                        + " / "
                                        + browser.findElement(By.id("answer-question")).getText())
                .until(
                        d ->
                                d.findElement(By.id("answer-question")).getText().equals(question)
                                        && d.findElement(By.id("status"))
                                                .getText()
                                                .startsWith("Answered"));
    }

    @Test
    void aBusinessUserAsksSeesChartsFollowsAnAlertToItsWhyAndGivesFeedback() throws Exception {
        login(stack.adminName, stack.adminToken);

        // a trend: a line with as many points as the answer has figures for it
        ask("daily revenue from 2026-11-02 to 2026-11-06");
        waiting(10).until(d -> !d.findElements(By.cssSelector("#chart svg .ct-point")).isEmpty());
        WebElement chart = browser.findElement(By.id("chart"));
        assertThat(chart.getAttribute("data-kind")).isEqualTo("line");
        List<WebElement> points =
                browser.findElements(
                        By.cssSelector(
                                "#chart svg .ct-line + .ct-point, #chart svg .ct-series-a .ct-point"));
        long figures =
                browser.findElements(By.cssSelector("#figures tbody th")).stream()
                        .filter(th -> th.getText().startsWith("revenue_minor.EUR@"))
                        .count();
        assertThat(figures).isEqualTo(5);
        assertThat(browser.findElements(By.cssSelector("#chart svg .ct-series-a .ct-point")))
                .hasSize((int) figures);
        assertThat(points).isNotEmpty();
        assertThat(chart.getAttribute("aria-label")).startsWith("Line chart of revenue_minor.EUR");

        // with the keyboard alone: the question typed and sent with Enter
        WebElement box = browser.findElement(By.id("question"));
        box.clear();
        box.sendKeys("orders by platform on 2026-11-03", Keys.ENTER);
        waiting(60)
                .until(
                        d ->
                                d.findElement(By.id("answer-question"))
                                        .getText()
                                        .equals("orders by platform on 2026-11-03"));
        // every control has a name a screen reader can say
        Object unnamed =
                ((JavascriptExecutor) browser)
                        .executeScript(
                                "return [...document.querySelectorAll('input, button')].filter(e => !(e.labels && e.labels.length)"
                                        + " && !e.getAttribute('aria-label') && !e.textContent.trim()).map(e => e.outerHTML)");
        assertThat((List<?>) unnamed).as("controls without an accessible name").isEmpty();

        // a breakdown: bars
        ask("orders by platform on 2026-11-03");
        waiting(10)
                .until(
                        d ->
                                "bars"
                                                .equals(
                                                        d.findElement(By.id("chart"))
                                                                .getAttribute("data-kind"))
                                        && !d.findElements(By.cssSelector("#chart svg .ct-bar"))
                                                .isEmpty());
        assertThat(browser.findElements(By.cssSelector("#chart svg .ct-bar")).size())
                .isGreaterThanOrEqualTo(2);

        // a why: its ranked hypotheses, and the evidence with its SQL
        ask("Why did checkout abandonment rise on android on 2026-11-03?");
        List<WebElement> hypotheses = browser.findElements(By.cssSelector("#hypotheses > li"));
        assertThat(hypotheses).isNotEmpty();
        assertThat(hypotheses.get(0).getText()).contains("slow page load");
        assertThat(browser.findElements(By.cssSelector("#evidence details"))).isNotEmpty();
        assertThat(
                        browser.findElement(By.cssSelector("#evidence pre.sql"))
                                .getAttribute("textContent"))
                .containsIgnoringCase("select");

        // while the simulator streams the slow-checkout incident through PatternJob, its alerts
        // appear in the
        // live panel as they are committed, and their "why?" answers inline
        waiting(10).until(d -> d.findElement(By.id("alerts-state")).getText().startsWith("Live"));
        assertThat(browser.findElements(By.cssSelector("#alerts > li"))).isEmpty();
        try (LiveIncident incident = LiveIncident.start(stack.alertPrefix, stack.db.store())) {
            By androidCheckout =
                    By.xpath(
                            "//ol[@id='alerts']/li[@data-pattern='checkout_abandonment'][contains(., 'android')]");
            // alerts keep coming while one is opened: the panel keeps an alert whose "why?" was
            // asked
            WebElement alert =
                    waiting(240)
                            .ignoring(StaleElementReferenceException.class)
                            .until(
                                    d -> {
                                        List<WebElement> found = d.findElements(androidCheckout);
                                        if (found.isEmpty()) return null;
                                        found.get(0)
                                                .findElement(By.cssSelector("button.why"))
                                                .sendKeys(Keys.ENTER);
                                        return found.get(0);
                                    });
            assertThat(alert.getAttribute("class")).contains("kept");
            waiting(60)
                    .until(
                            d ->
                                    !alert.findElements(By.cssSelector(".why-hypotheses li"))
                                            .isEmpty());
            assertThat(alert.findElement(By.cssSelector(".why-answer")).getText())
                    .contains("Why did checkout abandonment rise on android on 2026-11-03?");
            assertThat(alert.findElement(By.cssSelector(".why-hypotheses li")).getText())
                    .contains("slow page load");
        }

        // a thumbs down with a reason, found in the pilot report
        ask("What will revenue be next month?");
        assertThat(browser.findElements(By.cssSelector("#suggestion-list li"))).isNotEmpty();
        browser.findElement(By.id("thumbs-down")).click();
        browser.findElement(By.id("feedback-reason"))
                .sendKeys("We need forecasts for the buying plan");
        browser.findElement(By.id("feedback-send")).click();
        waiting(10)
                .until(
                        ExpectedConditions.textToBePresentInElementLocated(
                                By.id("feedback-status"), "recorded"));
        waiting(10)
                .until(
                        ExpectedConditions.textToBePresentInElementLocated(
                                By.id("pilot-feedback"), "We need forecasts for the buying plan"));

        // the screenshot for the README: the why answer with its chart
        ask("Why did checkout abandonment rise on android on 2026-11-03?");
        ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0)");
        File shot =
                ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.createDirectories(Path.of("target"));
        Files.copy(
                shot.toPath(), Path.of("target/web-page.png"), StandardCopyOption.REPLACE_EXISTING);

        // readable at 360 px: nothing wider than the screen
        browser.manage().window().setSize(new Dimension(360, 800));
        Thread.sleep(300);
        long viewport =
                (Long) ((JavascriptExecutor) browser).executeScript("return window.innerWidth");
        long width =
                (Long)
                        ((JavascriptExecutor) browser)
                                .executeScript("return document.documentElement.scrollWidth");
        assertThat(viewport).isLessThanOrEqualTo(400);
        assertThat(width)
                .as("page width at a %d px viewport", viewport)
                .isLessThanOrEqualTo(viewport);
        File narrow =
                ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(
                narrow.toPath(),
                Path.of("target/web-page-360.png"),
                StandardCopyOption.REPLACE_EXISTING);
        browser.manage().window().setSize(new Dimension(1280, 2000));

        // a viewer gets no pilot report
        browser.findElement(By.id("logout")).click();
        waiting(10)
                .until(
                        ExpectedConditions.textToBePresentInElementLocated(
                                By.id("login-error"), "logged out"));
        login(stack.viewerName, stack.viewerToken);
        waiting(10)
                .until(
                        ExpectedConditions.textToBePresentInElementLocated(
                                By.id("who-name"), stack.viewerName));
        assertThat(browser.findElement(By.id("who-role")).getText()).isEqualTo("viewer");
        assertThat(browser.findElement(By.id("pilot")).isDisplayed()).isFalse();
        Object status =
                ((JavascriptExecutor) browser)
                        .executeAsyncScript(
                                "const done = arguments[arguments.length - 1]; fetch('/api/pilot').then(r => done(r.status));");
        assertThat(((Number) status).intValue()).isEqualTo(403);
    }
}
