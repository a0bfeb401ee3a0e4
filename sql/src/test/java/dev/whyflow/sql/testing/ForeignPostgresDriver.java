package dev.whyflow.sql.testing;

import java.net.URL;
import java.net.URLClassLoader;

/**
 * The state of a Flink TaskManager that ran another job first: the only PostgreSQL driver that
 * {@code DriverManager} holds was registered from another classloader, and this classloader's
 * driver class is initialized already, so it registers nothing more; {@code DriverManager} then
 * hides the foreign driver from this code and answers "No suitable driver".
 */
public final class ForeignPostgresDriver {

    /** What runs while only the foreign driver is registered. */
    public interface Body {
        void run() throws Exception;
    }

    private ForeignPostgresDriver() {}

    public static void whileRegistered(Body body) throws Exception {
        URL driverJar =
                org.postgresql.Driver.class.getProtectionDomain().getCodeSource().getLocation();
        boolean ownWasRegistered = org.postgresql.Driver.isRegistered();
        if (ownWasRegistered) org.postgresql.Driver.deregister();
        try (URLClassLoader otherJob =
                new URLClassLoader(new URL[] {driverJar}, ClassLoader.getPlatformClassLoader())) {
            Class<?> foreign =
                    Class.forName("org.postgresql.Driver", true, otherJob); // registers itself
            if (foreign == org.postgresql.Driver.class)
                throw new IllegalStateException("the driver was not loaded apart");
            try {
                body.run();
            } finally {
                foreign.getMethod("deregister").invoke(null);
            }
        } finally {
            if (ownWasRegistered) org.postgresql.Driver.register();
        }
    }
}
