package dev.whyflow.erp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Debezium's JSON records (JsonConverter, {@code schemas.enable=false}) into {@link ErpChange}s.
 * Tombstones (null values) and records it cannot read are skipped, never fail the job: the ERP's
 * topic is not the contract, and an unreadable record is counted by the job's metrics, not fatal.
 */
public final class ErpChangeDeserializer implements KafkaRecordDeserializationSchema<ErpChange> {
    private static final long serialVersionUID = 1L;
    private transient ObjectMapper mapper;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ErpChange> out) {
        if (record.value() == null) return;
        ErpChange c = parse(record.value(), mapper());
        if (c != null) out.collect(c);
    }

    private ObjectMapper mapper() {
        if (mapper == null) mapper = new ObjectMapper();
        return mapper;
    }

    /**
     * The change in {@code value}, or null when it is neither a row change nor a transaction end.
     */
    public static ErpChange parse(byte[] value, ObjectMapper mapper) {
        JsonNode n;
        try {
            n = mapper.readTree(value);
        } catch (Exception e) {
            return null;
        }
        if (n == null || !n.isObject()) return null;
        ErpChange c = new ErpChange();
        c.json = new String(value, StandardCharsets.UTF_8);
        if (n.has("op")) {
            JsonNode source = n.path("source");
            c.kind = ErpChange.ROW;
            c.op = n.path("op").asText();
            c.table = source.path("table").asText(null);
            c.txId =
                    source.path("txId").isMissingNode() || source.path("txId").isNull()
                            ? null
                            : source.path("txId").asText();
            c.lsn = source.path("lsn").asLong(0);
            c.snapshot = source.path("snapshot").asText("false");
            return c.table == null ? null : c;
        }
        if ("END".equals(n.path("status").asText(null))) {
            c.kind = ErpChange.TX_END;
            // Debezium's PostgreSQL transaction id is "txId:lsn"
            String id = n.path("id").asText("");
            int colon = id.indexOf(':');
            c.txId = colon < 0 ? id : id.substring(0, colon);
            c.snapshot = "false";
            return c;
        }
        return null;
    }

    @Override
    public TypeInformation<ErpChange> getProducedType() {
        return TypeInformation.of(ErpChange.class);
    }
}
