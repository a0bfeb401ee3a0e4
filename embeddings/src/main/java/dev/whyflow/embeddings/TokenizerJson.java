package dev.whyflow.embeddings;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader for HuggingFace {@code tokenizer.json} files (objects, arrays, strings,
 * numbers, booleans, null). The library keeps it in-house so that its only runtime dependency is
 * ONNX Runtime: a Flink user jar that bundles Jackson can clash with the job's own Jackson.
 */
final class TokenizerJson {

  private final String s;
  private int pos;

  private TokenizerJson(String s) {
    this.s = s;
  }

  /** Parses a JSON document into Map / List / String / Double / Long / Boolean / null. */
  static Object parse(String json) {
    TokenizerJson p = new TokenizerJson(json);
    p.skipWhitespace();
    Object value = p.readValue();
    p.skipWhitespace();
    if (p.pos != json.length()) {
      throw p.error("trailing characters");
    }
    return value;
  }

  private Object readValue() {
    if (pos >= s.length()) {
      throw error("unexpected end of input");
    }
    char c = s.charAt(pos);
    switch (c) {
      case '{':
        return readObject();
      case '[':
        return readArray();
      case '"':
        return readString();
      case 't':
        expectWord("true");
        return Boolean.TRUE;
      case 'f':
        expectWord("false");
        return Boolean.FALSE;
      case 'n':
        expectWord("null");
        return null;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return readNumber();
        }
        throw error("unexpected character '" + c + "'");
    }
  }

  private Map<String, Object> readObject() {
    Map<String, Object> map = new LinkedHashMap<>();
    pos++; // {
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      return map;
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw error("expected a key");
      }
      String key = readString();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      map.put(key, readValue());
      skipWhitespace();
      char c = next();
      if (c == '}') {
        return map;
      }
      if (c != ',') {
        throw error("expected ',' or '}'");
      }
    }
  }

  private List<Object> readArray() {
    List<Object> list = new ArrayList<>();
    pos++; // [
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      return list;
    }
    while (true) {
      skipWhitespace();
      list.add(readValue());
      skipWhitespace();
      char c = next();
      if (c == ']') {
        return list;
      }
      if (c != ',') {
        throw error("expected ',' or ']'");
      }
    }
  }

  private String readString() {
    pos++; // opening quote
    StringBuilder sb = null;
    int start = pos;
    while (true) {
      if (pos >= s.length()) {
        throw error("unterminated string");
      }
      char c = s.charAt(pos);
      if (c == '"') {
        String tail = s.substring(start, pos);
        pos++;
        return sb == null ? tail : sb.append(tail).toString();
      }
      if (c == '\\') {
        if (sb == null) {
          sb = new StringBuilder();
        }
        sb.append(s, start, pos);
        pos++;
        char e = next();
        switch (e) {
          case '"': sb.append('"'); break;
          case '\\': sb.append('\\'); break;
          case '/': sb.append('/'); break;
          case 'b': sb.append('\b'); break;
          case 'f': sb.append('\f'); break;
          case 'n': sb.append('\n'); break;
          case 'r': sb.append('\r'); break;
          case 't': sb.append('\t'); break;
          case 'u':
            if (pos + 4 > s.length()) {
              throw error("truncated \\u escape");
            }
            sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
            pos += 4;
            break;
          default:
            throw error("bad escape \\" + e);
        }
        start = pos;
      } else {
        pos++;
      }
    }
  }

  private Object readNumber() {
    int start = pos;
    boolean integral = true;
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if ((c >= '0' && c <= '9') || c == '-' || c == '+') {
        pos++;
      } else if (c == '.' || c == 'e' || c == 'E') {
        integral = false;
        pos++;
      } else {
        break;
      }
    }
    String n = s.substring(start, pos);
    return integral ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
  }

  private void expectWord(String word) {
    if (!s.startsWith(word, pos)) {
      throw error("expected " + word);
    }
    pos += word.length();
  }

  private void expect(char c) {
    if (next() != c) {
      throw error("expected '" + c + "'");
    }
  }

  private char peek() {
    if (pos >= s.length()) {
      throw error("unexpected end of input");
    }
    return s.charAt(pos);
  }

  private char next() {
    char c = peek();
    pos++;
    return c;
  }

  private void skipWhitespace() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        pos++;
      } else {
        return;
      }
    }
  }

  private IllegalArgumentException error(String message) {
    return new IllegalArgumentException("tokenizer.json: " + message + " at offset " + pos);
  }
}
