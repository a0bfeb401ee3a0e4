package dev.whyflow.contract;

import java.util.Objects;

/** The business object an event is about: a product, cart, checkout, payment, order, … */
public class Entity {
    public String type;
    public String id;

    public Entity() {}

    public Entity(String type, String id) {
        this.type = type;
        this.id = id;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof Entity e)) return false;
        return Objects.equals(type, e.type) && Objects.equals(id, e.id);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, id);
    }

    @Override
    public String toString() {
        return "Entity{" + type + ":" + id + "}";
    }
}
