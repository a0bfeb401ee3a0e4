package dev.whyflow.web;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.whyflow.sql.StoreConnection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The web service's own tables (migration V14): users, browser sessions, the questions asked and
 * the feedback given. Of the store's other tables it only counts refused records and accepted
 * events by time ({@link #refusedShare}), through the two columns V14 lets it read.
 */
public final class WebStore implements AutoCloseable {

    public static final Pattern USER_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    public static final int MAX_REASON = 1000;

    /** A user as the service knows it. */
    public record User(String name, String role) {
        public boolean admin() {
            return "admin".equals(role);
        }
    }

    /** A browser session: whose it is and the CSRF token its state-changing requests must carry. */
    public record Session(User user, String csrfToken) {}

    /** A user created: the token, shown once and stored only as its digest. */
    public record NewUser(User user, String token) {}

    /** A question as logged. */
    public record LoggedQuestion(
            String questionId,
            String user,
            String conversationId,
            String question,
            Instant askedAt,
            String intent,
            boolean answered,
            String error,
            long latencyMs) {}

    private final DataSource data;
    private final HikariDataSource pool;

    private WebStore(HikariDataSource pool) {
        this.pool = pool;
        this.data = pool;
    }

    public static WebStore connect(StoreConnection store) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(store.url());
        c.setUsername(store.user());
        c.setPassword(store.password());
        c.setDriverClassName("org.postgresql.Driver");
        c.setMaximumPoolSize(4);
        c.setMinimumIdle(1);
        c.setConnectionTimeout(5_000);
        c.setInitializationFailTimeout(
                -1); // start without the store; requests then fail and say so
        c.setPoolName("whyflow-web");
        return new WebStore(new HikariDataSource(c));
    }

    // --- users ------------------------------------------------------------------------------

    public NewUser addUser(String name, String role, String password) throws SQLException {
        if (!USER_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "a user name is 1-63 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (!"viewer".equals(role) && !"admin".equals(role))
            throw new IllegalArgumentException("role must be viewer or admin");
        String token = Secrets.newSecret("wf_");
        try (Connection c = data.getConnection();
                PreparedStatement s =
                        c.prepareStatement(
                                "INSERT INTO web_users (user_name, role, token_sha256, password_bcrypt) VALUES (?, ?, ?, ?)")) {
            s.setString(1, name);
            s.setString(2, role);
            s.setBytes(3, Secrets.sha256(token));
            s.setString(4, password == null ? null : Secrets.bcrypt(password));
            s.executeUpdate();
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState()))
                throw new IllegalArgumentException("user " + name + " exists already");
            throw e;
        }
        return new NewUser(new User(name, role), token);
    }

    /**
     * A new token for an existing user (the old one stops working), or empty if there is no such
     * user.
     */
    public Optional<String> newToken(String name) throws SQLException {
        String token = Secrets.newSecret("wf_");
        try (Connection c = data.getConnection();
                PreparedStatement s =
                        c.prepareStatement(
                                "UPDATE web_users SET token_sha256 = ? WHERE user_name = ? AND disabled_at IS NULL")) {
            s.setBytes(1, Secrets.sha256(token));
            s.setString(2, name);
            return s.executeUpdate() == 1 ? Optional.of(token) : Optional.empty();
        }
    }

    /**
     * Disables a user and ends their sessions; their questions and feedback stay in the pilot
     * report.
     */
    public boolean disableUser(String name) throws SQLException {
        try (Connection c = data.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s =
                            c.prepareStatement(
                                    "UPDATE web_users SET disabled_at = now() WHERE user_name = ? AND disabled_at IS NULL");
                    PreparedStatement d =
                            c.prepareStatement("DELETE FROM web_sessions WHERE user_name = ?")) {
                s.setString(1, name);
                int n = s.executeUpdate();
                d.setString(1, name);
                d.executeUpdate();
                c.commit();
                return n == 1;
            }
        }
    }

    public List<User> users() throws SQLException {
        List<User> out = new ArrayList<>();
        try (Connection c = data.getConnection();
                PreparedStatement s =
                        c.prepareStatement(
                                "SELECT user_name, role FROM web_users WHERE disabled_at IS NULL ORDER BY user_name");
                ResultSet r = s.executeQuery()) {
            while (r.next()) out.add(new User(r.getString(1), r.getString(2)));
        }
        return out;
    }

    public Optional<User> userByToken(String token) throws SQLException {
        try (Connection c = data.getConnection();
                PreparedStatement s =
                        c.prepareStatement(
                                "SELECT user_name, role FROM web_users WHERE token_sha256 = ? AND disabled_at IS NULL")) {
            s.setBytes(1, Secrets.sha256(token));
            try (ResultSet r = s.executeQuery()) {
                return r.next()
                        ? Optional.of(new User(r.getString(1), r.getString(2)))
                        : Optional.empty();
            }
        }
    }

    /** The user when {@code secret} is their token or their password; empty otherwise. */
    public Optional<User> checkLogin(String name, String secret) throws SQLException {
        try (Connection c = data.getConnection();
                PreparedStatement s =
                        c.prepareStatement(
                                "SELECT role, token_sha256, password_bcrypt FROM web_users WHERE user_name = ? AND disabled_at IS NULL")) {
            s.setString(1, name);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    Secrets.bcryptMatches(
                            DUMMY_HASH, secret); // same time whether the user exists or not
                    return Optional.empty();
                }
                boolean tokenMatches =
                        java.security.MessageDigest.isEqual(r.getBytes(2), Secrets.sha256(secret));
                boolean passwordMatches =
                        Secrets.bcryptMatches(
                                        r.getString(3) == null ? DUMMY_HASH : r.getString(3),
                                        secret)
                                && r.getString(3) != null;
                return tokenMatches || passwordMatches
                        ? Optional.of(new User(name, r.getString(1)))
                        : Optional.empty();
            }
        }
    }

    private static final String DUMMY_HASH = Secrets.bcrypt("no such user");

    // --- sessions ---------------------------------------------------------------------------

    /** Opens a browser session; returns the cookie value (the session id) and the CSRF token. */
    public String[] openSession(User user, Duration ttl) throws SQLException {
        String id = Secrets.newSecret("");
        String csrf = Secrets.newSecret("");
        try (Connection c = data.getConnection()) {
            try (PreparedStatement gone =
                    c.prepareStatement("DELETE FROM web_sessions WHERE expires_at < now()")) {
                gone.executeUpdate();
            }
            try (PreparedStatement s =
                    c.prepareStatement(
                            "INSERT INTO web_sessions (session_sha256, user_name, csrf_token, expires_at) VALUES (?, ?, ?, ?)")) {
                s.setBytes(1, Secrets.sha256(id));
                s.setString(2, user.name());
                s.setString(3, csrf);
                s.setTimestamp(4, Timestamp.from(Instant.now().plus(ttl)));
                s.executeUpdate();
            }
        }
        return new String[] {id, csrf};
    }

    /** The live session of that cookie value: unexpired, of a user not disabled. */
    public Optional<Session> session(String id) throws SQLException {
        try (Connection c = data.getConnection();
                PreparedStatement s =
                        c.prepareStatement(
                                "SELECT u.user_name, u.role, s.csrf_token FROM web_sessions s JOIN web_users u USING (user_name)"
                                        + " WHERE s.session_sha256 = ? AND s.expires_at > now() AND u.disabled_at IS NULL")) {
            s.setBytes(1, Secrets.sha256(id));
            try (ResultSet r = s.executeQuery()) {
                return r.next()
                        ? Optional.of(
                                new Session(
                                        new User(r.getString(1), r.getString(2)), r.getString(3)))
                        : Optional.empty();
            }
        }
    }

    public void closeSession(String id) throws SQLException {
        try (Connection c = data.getConnection();
                PreparedStatement s =
                        c.prepareStatement("DELETE FROM web_sessions WHERE session_sha256 = ?")) {
            s.setBytes(1, Secrets.sha256(id));
            s.executeUpdate();
        }
    }

    // --- questions and feedback ---------------------------------------------------------------

    public void logQuestion(LoggedQuestion q) throws SQLException {
        try (Connection c = data.getConnection();
                PreparedStatement s =
                        c.prepareStatement(
                                "INSERT INTO web_questions (question_id, user_name, conversation_id, question, asked_at, intent, answered, error, latency_ms)"
                                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (question_id) DO NOTHING")) {
            s.setString(1, q.questionId());
            s.setString(2, q.user());
            s.setString(3, q.conversationId());
            s.setString(4, q.question());
            s.setTimestamp(5, Timestamp.from(q.askedAt()));
            s.setString(6, q.intent());
            s.setBoolean(7, q.answered());
            s.setString(8, q.error());
            s.setInt(9, (int) Math.min(Integer.MAX_VALUE, q.latencyMs()));
            s.executeUpdate();
        }
    }

    /** Records (or replaces) a user's vote on a question; false when there is no such question. */
    public boolean feedback(String user, String questionId, String rating, String reason)
            throws SQLException {
        try (Connection c = data.getConnection();
                PreparedStatement s =
                        c.prepareStatement(
                                "INSERT INTO web_feedback (question_id, user_name, rating, reason)"
                                        + " SELECT question_id, ?, ?, ? FROM web_questions WHERE question_id = ?"
                                        + " ON CONFLICT (question_id, user_name) DO UPDATE SET rating = excluded.rating, reason = excluded.reason,"
                                        + " given_at = now()")) {
            s.setString(1, user);
            s.setString(2, rating);
            s.setString(3, reason == null || reason.isBlank() ? null : reason.strip());
            s.setString(4, questionId);
            return s.executeUpdate() == 1;
        }
    }

    /**
     * Refused records and accepted events in a period; {@link #share} is null when there were none.
     */
    public record Refused(long refused, long accepted) {
        public Double share() {
            return refused + accepted == 0
                    ? null
                    : Math.round(refused * 1_000_000.0 / (refused + accepted)) / 1_000_000.0;
        }
    }

    /**
     * The records CaptureJob refused while the period's events arrived ({@code
     * failed_events.failed_at} in {@code [from, to)}: a refused record has no trusted event time)
     * against the period's accepted events (the {@code metrics_1m} rollups; late events are not in
     * them); null when not counted within 300 ms: an answer is not held back for its side note.
     */
    public Refused refusedShare(Instant from, Instant to) {
        try (Connection c = data.getConnection()) {
            c.setAutoCommit(false);
            try (Statement t = c.createStatement()) {
                t.execute("SET LOCAL statement_timeout = 300");
            }
            try (PreparedStatement s =
                    c.prepareStatement(
                            "SELECT (SELECT count(*) FROM failed_events WHERE failed_at >= ? AND failed_at < ?),"
                                    + " (SELECT coalesce(sum(events), 0) FROM metrics_1m WHERE bucket >= ? AND bucket < ?)")) {
                Timestamp f = Timestamp.from(from);
                Timestamp u = Timestamp.from(to);
                s.setTimestamp(1, f);
                s.setTimestamp(2, u);
                s.setTimestamp(3, f);
                s.setTimestamp(4, u);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    return new Refused(r.getLong(1), r.getLong(2));
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            return null;
        }
    }

    public DataSource dataSource() {
        return data;
    }

    @Override
    public void close() {
        pool.close();
    }
}
