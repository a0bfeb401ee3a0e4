package dev.whyflow.notebooks;

import dev.whyflow.sql.StoreConnection;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What counts as a credential written into a committed notebook, the notebooks' helper or their
 * README, line by line. A line holds one when it
 *
 * <ol>
 *   <li>gives a quoted literal to a name that says password, passwd, secret or token, as code, JSON
 *       or a dict key: {@code password = "…"}, {@code "password": "…"}, {@code
 *       os.environ["WHYFLOW_PG_PASSWORD"] = "…"}, {@code %env WHYFLOW_PG_PASSWORD="…"};
 *   <li>sets such a variable in the environment to a bare literal: {@code %env}/{@code %set_env}
 *       lines, {@code export}, {@code setenv}, or a shell prefix ({@code WHYFLOW_PG_PASSWORD=…
 *       jupyter notebook});
 *   <li>passes a quoted literal for such a variable to {@code os.environ.setdefault}, {@code
 *       os.putenv} and the like;
 *   <li>writes a URL with a user and a password ({@code postgresql://user:pw@host}).
 * </ol>
 *
 * Two things are not: reading the variable ({@code env.get("WHYFLOW_PG_PASSWORD", "whyflow")}) or
 * handing on a value held elsewhere ({@code WHYFLOW_PG_PASSWORD=s["password"]}, {@code $PW}, {@code
 * <password>}); and the value {@code whyflow}, the local stack's own default ({@link
 * StoreConnection#DEFAULT_PASSWORD}, deploy/local/lib.sh), which the helper falls back to when
 * WHYFLOW_PG_PASSWORD is unset, as ./whyflow and the jobs do. It opens only the database a
 * developer's own ./whyflow up creates on 127.0.0.1; any other store has its own password, from the
 * environment.
 */
final class CommittedSecrets {

    private static final String NAME = "[\\w.-]*(?:password|passwd|secret|token)\\w*";

    /** A literal value that is a value: not the local default, not a placeholder or a reference. */
    private static final String LITERAL =
            "(?!"
                    + Pattern.quote(StoreConnection.DEFAULT_PASSWORD)
                    + "(?![^\\s'\"]))"
                    + "[^\\s'\"$<\\[\\](){},;]+(?=\\s|$)";

    private static final String QUOTED =
            "(?:\"(?!"
                    + Pattern.quote(StoreConnection.DEFAULT_PASSWORD)
                    + "\")[^\"]+\""
                    + "|'(?!"
                    + Pattern.quote(StoreConnection.DEFAULT_PASSWORD)
                    + "')[^']+')";
    private static final Pattern SECRET =
            Pattern.compile(
                    "(?i)"
                            + NAME
                            + "['\"]?\\s*]?\\s*[=:]\\s*"
                            + QUOTED // 1
                            + "|(?:%env|%set_env|\\bsetenv)\\s+"
                            + NAME
                            + "(?:\\s*=\\s*|\\s+)"
                            + LITERAL // 2
                            + "|\\bexport\\s+"
                            + NAME
                            + "="
                            + LITERAL // 2
                            + "|(?:^|[\\s;&|(])"
                            + NAME
                            + "="
                            + LITERAL // 2, shell prefix
                            + "|(?:setdefault|putenv|setenv)\\s*\\(\\s*['\"]"
                            + NAME
                            + "['\"]\\s*,\\s*"
                            + QUOTED // 3
                            + "|\\w+://[^/\\s:@]+:(?!"
                            + Pattern.quote(StoreConnection.DEFAULT_PASSWORD)
                            + "@)[^@\\s/]+@"); // 4

    private CommittedSecrets() {}

    /** The first line of {@code text} that holds a credential, if any. */
    static Optional<String> find(String text) {
        return text.lines().filter(line -> SECRET.matcher(line).find()).findFirst();
    }
}
