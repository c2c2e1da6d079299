// Checkout: find one of the company's customers by a few letters. Without JavaScript the
// plain select lists them; with it, matches come from /customers/search as you type.
(function () {
  "use strict";
  var input = document.getElementById("customer-search");
  var results = document.getElementById("customer-results");
  var select = document.getElementById("customer_id");
  if (!input || !results || !select || !window.fetch) {
    return;
  }
  input.hidden = false;
  var timer = null;
  var latest = 0;

  function label(customer) {
    return [customer.company_name, customer.contact_name, customer.email].join(" · ");
  }

  function choose(customer) {
    var value = String(customer.id);
    var option = Array.prototype.find.call(select.options, function (o) {
      return o.value === value;
    });
    if (!option) {
      option = new Option(label(customer), value);
      select.add(option);
    }
    select.value = value;
    var existing = document.querySelector('input[name="end_customer_choice"][value="existing"]');
    if (existing) {
      existing.checked = true;
    }
    input.value = customer.company_name;
    results.hidden = true;
  }

  function show(customers) {
    results.textContent = "";
    customers.forEach(function (customer) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = label(customer);
      button.addEventListener("click", function () {
        choose(customer);
      });
      item.appendChild(button);
      results.appendChild(item);
    });
    results.hidden = customers.length === 0;
  }

  function search() {
    var query = input.value.trim();
    if (!query) {
      show([]);
      return;
    }
    var ticket = ++latest;
    fetch(input.getAttribute("data-url") + "?q=" + encodeURIComponent(query), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.ok ? response.json() : { customers: [] };
      })
      .then(function (data) {
        if (ticket === latest) {
          show(data.customers || []);
        }
      })
      .catch(function () {
        show([]);
      });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 200);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault(); // choosing a match, not placing the order
    }
  });
})();
