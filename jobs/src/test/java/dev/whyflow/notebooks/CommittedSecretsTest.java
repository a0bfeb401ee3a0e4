package dev.whyflow.notebooks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommittedSecretsTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "password = \"hunter2\"",
                "conn = psycopg2.connect(host='db', password='hunter2')",
                "{\"password\": \"hunter2\"}",
                "os.environ[\"WHYFLOW_PG_PASSWORD\"] = \"hunter2\"",
                "os.environ['WHYFLOW_PG_PASSWORD']='hunter2'",
                "%env WHYFLOW_PG_PASSWORD=hunter2",
                "%env WHYFLOW_PG_PASSWORD hunter2",
                "%env WHYFLOW_PG_PASSWORD=\"hunter2\"",
                "%set_env WHYFLOW_PG_PASSWORD=hunter2",
                "export WHYFLOW_PG_PASSWORD=hunter2",
                "WHYFLOW_PG_PASSWORD=hunter2 jupyter notebook --no-browser",
                "WHYFLOW_PG_USER=ana WHYFLOW_PG_PASSWORD=hunter2 jupyter nbconvert",
                "os.environ.setdefault(\"WHYFLOW_PG_PASSWORD\", \"hunter2\")",
                "api_token: 'abc123'",
                "WHYFLOW_PG_URL=postgresql://ana:hunter2@db.example/whyflow",
                "jdbc:postgresql://ana:hunter2@db/whyflow",
                "password = \"whyflow2\"",
                "setenv WHYFLOW_PG_PASSWORD hunter2",
            })
    void findsACredential(String line) {
        assertThat(CommittedSecrets.find("x = 1\n" + line + "\n")).contains(line);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "s = dict(DEFAULTS, password=env.get(\"WHYFLOW_PG_PASSWORD\", \"whyflow\"))",
                "env = dict(os.environ, WHYFLOW_PG_USER=s[\"user\"], WHYFLOW_PG_PASSWORD=s[\"password\"])",
                "| `WHYFLOW_PG_USER` / `WHYFLOW_PG_PASSWORD` | the local stack's `whyflow` user |",
                "  WHYFLOW_PG_PASSWORD   the local stack's default",
                "export WHYFLOW_PG_PASSWORD=whyflow",
                "%env WHYFLOW_PG_PASSWORD=$MY_PASSWORD",
                "export WHYFLOW_PG_PASSWORD=<the password>",
                "password = \"whyflow\"",
                "postgresql://whyflow:whyflow@127.0.0.1:55432/whyflow",
                "jdbc:postgresql://127.0.0.1:55432/whyflow",
                "\"\"\"Host, port, database, user and password from the environment, local stack by default.\"\"\"",
                "a token of the answer: tokens = text.split()",
                "Before you set password rules, read this.",
                "setenv WHYFLOW_PG_PASSWORD whyflow",
            })
    void letsTheLocalDefaultAndReferencesPass(String line) {
        assertThat(CommittedSecrets.find(line)).isEmpty();
    }
}
