package dev.whyflow.vectors;

/**
 * A {@link TextToEmbed} with its unit-length embedding and the model that made it. A Flink POJO.
 */
public class EmbeddedText {

    public TextToEmbed source;
    public float[] embedding;
    public String model;

    public EmbeddedText() {}

    public EmbeddedText(TextToEmbed source, float[] embedding, String model) {
        this.source = source;
        this.embedding = embedding;
        this.model = model;
    }

    @Override
    public String toString() {
        return "EmbeddedText[" + source + "]";
    }
}
