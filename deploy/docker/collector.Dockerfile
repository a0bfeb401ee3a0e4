# The HTTP event collector (dev.whyflow.collector in the services module) as a plain JVM image: no
# Flink, just the collector's classes and their runtime dependencies on a JRE.
#
# Build from the repository root (the build stage compiles what it needs):
#   docker build -f deploy/docker/collector.Dockerfile -t whyflow/collector:0.1.0 .
# Run: needs WHYFLOW_KAFKA_BOOTSTRAP and WHYFLOW_PG_URL/_USER/_PASSWORD (the API keys' table);
#   docker run -p 58070:58070 -e WHYFLOW_KAFKA_BOOTSTRAP=kafka:9092 -e WHYFLOW_PG_URL=... whyflow/collector:0.1.0
# (Not built in this repository's CI: its machines have no Docker engine.)
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . /src
RUN mvn -B -q -pl services -am -DskipTests package \
 && mvn -B -q -pl services -am -DskipTests dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=/app/lib \
 && cp services/target/whyflow-services-*.jar /app/lib/

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 collector
COPY --from=build /app/lib /opt/whyflow/collector/lib
USER collector
EXPOSE 58070
# Listens on every interface of the container and logs to stdout at INFO; CORS origins and limits as
# arguments or WHYFLOW_COLLECTOR_* variables
ENTRYPOINT ["java", "-Xms128m", "-Xmx512m", "-Dlog4j2.level=INFO", "-cp", "/opt/whyflow/collector/lib/*", "dev.whyflow.collector.CollectorCli", "serve", "--host", "0.0.0.0"]
