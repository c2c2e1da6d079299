// Saving a card with Stripe's own form: the card number goes to Stripe, never to us.
// Stripe turns it into a PaymentMethod id, which the form then posts to our server.
(function () {
  "use strict";
  var form = document.getElementById("stripe-card-form");
  if (!form || typeof window.Stripe !== "function") {
    return;
  }
  var stripe = window.Stripe(form.dataset.publishableKey, { locale: form.dataset.locale || "auto" });
  var card = stripe.elements().create("card");
  var errors = document.getElementById("stripe-card-errors");
  var busy = false;
  card.mount("#stripe-card-element");
  card.on("change", function (event) {
    errors.textContent = event.error ? event.error.message : "";
  });
  form.addEventListener("submit", function (event) {
    if (form.elements.payment_method.value) {
      return;
    }
    event.preventDefault();
    if (busy) {
      return;
    }
    busy = true;
    stripe.createPaymentMethod({ type: "card", card: card }).then(function (result) {
      busy = false;
      if (result.error) {
        errors.textContent = result.error.message;
        return;
      }
      form.elements.payment_method.value = result.paymentMethod.id;
      form.submit();
    });
  });
})();
