package io.github.pgisolated.examples.shop;

/** A customer with this email already exists ({@code customer_email_key} was violated). */
public class DuplicateEmailException extends ShopException {
  private static final long serialVersionUID = 1L;

  public DuplicateEmailException(String email, Throwable cause) {
    super("A customer with email " + email + " already exists", cause);
  }
}
