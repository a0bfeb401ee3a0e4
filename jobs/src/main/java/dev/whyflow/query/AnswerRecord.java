package dev.whyflow.query;

/** An answer document ready for {@code whyflow.answers}: the question id (the key) and the JSON. */
public class AnswerRecord {
    public String questionId;
    public byte[] json;

    public AnswerRecord() {}

    public AnswerRecord(String questionId, byte[] json) {
        this.questionId = questionId;
        this.json = json;
    }
}
