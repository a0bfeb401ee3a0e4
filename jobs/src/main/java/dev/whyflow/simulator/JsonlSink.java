package dev.whyflow.simulator;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes records as JSON Lines: each record's bytes and a newline (records never contain one). */
public final class JsonlSink implements RecordSink {

    private final OutputStream out;

    public JsonlSink(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
    }

    public JsonlSink(OutputStream out) {
        this.out =
                out instanceof BufferedOutputStream ? out : new BufferedOutputStream(out, 1 << 20);
    }

    @Override
    public void accept(long ordinal, String key, byte[] value, int length) throws IOException {
        out.write(value, 0, length);
        out.write('\n');
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
