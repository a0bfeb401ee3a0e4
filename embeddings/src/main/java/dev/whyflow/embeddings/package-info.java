/** Local ONNX sentence embeddings: no network at run time. */
package dev.whyflow.embeddings;
