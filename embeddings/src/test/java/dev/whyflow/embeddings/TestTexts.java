package dev.whyflow.embeddings;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Deterministic test and benchmark texts. */
final class TestTexts {

    private TestTexts() {}

    private static final String[] DEVICES = {"mobile", "desktop", "tablet", "app", "kiosk"};
    private static final String[] OS = {"android", "ios", "windows", "macos", "linux", "chromeos"};
    private static final String[] PAGES = {
        "checkout",
        "payment",
        "cart",
        "product",
        "search",
        "login",
        "signup",
        "wishlist",
        "shipping",
        "order confirmation",
        "category",
        "landing",
        "account",
        "returns"
    };
    private static final String[] PROBLEMS = {
        "page slow", "timeout", "error 500", "button unresponsive", "coupon rejected",
        "card declined", "address form reset", "images missing", "price mismatch", "stock outdated",
        "redirect loop", "session expired", "captcha failed", "layout broken"
    };
    private static final String[] OUTCOMES = {
        "abandoned cart",
        "bounced",
        "retried payment",
        "contacted support",
        "completed order",
        "left review",
        "switched device",
        "closed tab",
        "added to wishlist"
    };
    private static final String[] CURRENCIES = {"EUR", "USD", "GBP", "CHF", "SEK"};

    /** Number of distinct {@link #shopSentence} texts. */
    static final long SHOP_SENTENCES = 5L * 6 * 14 * 14 * 9 * 9 * 30 * 5;

    /**
     * A shop-like sentence of about 15 word pieces, e.g. "mobile android checkout page slow 3s
     * abandoned cart 50-100 EUR"; distinct for every {@code i} below {@link #SHOP_SENTENCES} (a
     * mixed-radix decomposition of a scrambled index).
     */
    static String shopSentence(long i) {
        long x = Math.floorMod(i * 1_000_003L, SHOP_SENTENCES);
        String device = DEVICES[(int) (x % DEVICES.length)];
        x /= DEVICES.length;
        String os = OS[(int) (x % OS.length)];
        x /= OS.length;
        String page = PAGES[(int) (x % PAGES.length)];
        x /= PAGES.length;
        String problem = PROBLEMS[(int) (x % PROBLEMS.length)];
        x /= PROBLEMS.length;
        String outcome = OUTCOMES[(int) (x % OUTCOMES.length)];
        x /= OUTCOMES.length;
        int lo = 1 + (int) (x % 9);
        x /= 9;
        int value = 10 * (1 + (int) (x % 30));
        x /= 30;
        String currency = CURRENCIES[(int) (x % CURRENCIES.length)];
        return device
                + " "
                + os
                + " "
                + page
                + " "
                + problem
                + " "
                + lo
                + "s "
                + outcome
                + " "
                + value
                + "-"
                + (value + 50)
                + " "
                + currency;
    }

    /** Hand-written edge cases: punctuation, numbers, accents, scripts, emoji, control chars. */
    static List<String> edgeCases() {
        return List.of(
                "",
                " ",
                "   \t\n  ",
                "a",
                "Hello, World!",
                "HELLO world... What's up?!",
                "don't stop-believing; it's (almost) 3:45pm",
                "Price: $1,299.99 (incl. 20% VAT) -> €1.099,00",
                "e-mail me at jane.doe+shop@example.com or call +49 (0)30 1234-5678",
                "https://shop.example.com/checkout?step=2&coupon=SUMMER24#payment",
                "Café crème brûlée, naïve façade, jalapeño, Ångström, Øresund, Straße",
                "ÉCOLE ÉLÉMENTAIRE À PARIS",
                "Ça coûte très cher, n'est-ce pas?",
                "Zürich Köln München Düsseldorf",
                "İstanbul ıslak ĞÜŞÖÇ",
                "ΑΘΗΝΑ Σίσυφος ΟΔΥΣΣΕΥΣ",
                "Москва — столица России.",
                "東京は日本の首都です。",
                "我喜欢在网上购物，但是运费太贵了！",
                "한국어 텍스트도 처리합니다",
                "مرحبا بالعالم",
                "שלום עולם",
                "हिन्दी भाषा",
                "ภาษาไทย",
                "emoji 😀 🛒 👍🏽 ❤️ 🇩🇪 shopping",
                "tabs\tand\nnewlines\r\nand\u000bvertical\u000cfeed",
                "zero\u200bwidth\u200djoiner\ufeffbom",
                "nul\u0000char and replacement \ufffd char",
                "non\u00a0breaking\u2003em\u3000ideographic spaces",
                "“smart quotes” and ‘single’ «guillemets» „low“",
                "ellipsis… en–dash em—dash bullet • middle·dot",
                "math: 2+2=4, x^2 < y|z, a~b, `code`, {json: [1,2]}",
                "supercalifragilisticexpialidocious antidisestablishmentarianism",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "SKU-00042/XL, order #A1B2C3, ref: INV_2026_11_05",
                "1234567890 3.14159 1e-10 0xDEADBEEF 1,000,000",
                "v2.3.0-rc1 build#4711 (linux-x86_64)",
                "CamelCaseWords and snake_case_words and kebab-case-words",
                "the [SEP] token and [CLS] and [MASK] in text, also [unk] lowercase",
                "hello[SEP]world",
                "ﬁnancial ﬂow ﬀ (ligatures)",
                "ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３",
                "Ⅻ ½ ² ³ № ™ © ®",
                "a\u0301e\u0300i\u0302 combining marks",
                "private use \ue000\uf8ff chars",
                "ǅungla ǈj ǋ",
                "Der Kunde hat den Warenkorb verlassen, weil die Versandkosten zu hoch waren.",
                "El cliente abandonó el carrito porque el envío era demasiado caro.",
                "Le client a abandonné son panier : les frais de port étaient trop élevés.",
                "O cliente abandonou o carrinho porque o frete era caro demais.",
                "Klienten övergav varukorgen eftersom fraktkostnaden var för hög.");
    }

    /** Pseudo-random texts mixing words, numbers, punctuation and non-ASCII characters. */
    static List<String> randomMixed(int count, long seed) {
        String[] words = {
            "checkout",
            "payment",
            "failed",
            "Kunde",
            "naïve",
            "café",
            "über",
            "東京",
            "购物",
            "😀",
            "shipping",
            "delayed",
            "3-5",
            "days",
            "€",
            "$",
            "100%",
            "return",
            "refund",
            "ΑΘΗΝΑ",
            "Москва",
            "iPhone",
            "Wi-Fi",
            "e-mail",
            "(test)",
            "...",
            "!!",
            "\"quoted\"",
            "don't",
            "x86_64",
            "SUMMER24",
            "20:15",
            "2026-11-05",
            "a/b",
            "1,299.99",
            "smörgåsbord",
            "résumé",
            "jalapeño",
            "ß",
            "İ",
            "ǅ",
            "ﬁ",
            "½",
            "№",
            "\t",
            "\u00a0",
            "—",
            "…",
            "«",
            "»",
            "¿Qué?",
            "¡Olé!",
            "unbelievable",
            "antidisestablishmentarianism",
            "tokenization",
            "Flink",
            "ONNX"
        };
        Random r = new Random(seed);
        List<String> texts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int n = 1 + r.nextInt(25);
            StringBuilder sb = new StringBuilder();
            for (int w = 0; w < n; w++) {
                if (w > 0) {
                    sb.append(r.nextInt(8) == 0 ? "" : " ");
                }
                String word = words[r.nextInt(words.length)];
                sb.append(r.nextInt(5) == 0 ? word.toUpperCase(java.util.Locale.ROOT) : word);
            }
            texts.add(sb.toString());
        }
        return texts;
    }

    /** Texts far longer than any maximum sequence length. */
    static List<String> longTexts() {
        List<String> texts = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 80; i++) {
            sb.append(shopSentence(i)).append(". ");
        }
        texts.add(sb.toString());
        texts.add("word ".repeat(700));
        texts.add("Ünïcödé façade, ".repeat(120));
        texts.add("東京は日本の首都です。".repeat(60));
        texts.add("supercalifragilisticexpialidocious ".repeat(100));
        return texts;
    }

    /** The tokenizer test set: edge cases, shop sentences, random mixes and long texts. */
    static List<String> tokenizerTestSet() {
        List<String> texts = new ArrayList<>(edgeCases());
        for (int i = 0; i < 150; i++) {
            texts.add(shopSentence(i));
        }
        texts.addAll(randomMixed(250, 42));
        texts.addAll(longTexts());
        return texts;
    }
}
