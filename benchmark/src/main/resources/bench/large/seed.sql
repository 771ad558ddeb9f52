-- About 20 000 seed rows across the 41 tables; every test of the large workload starts from them.
insert into country (code, name) select chr(65 + g / 26) || chr(65 + g % 26), 'Country ' || g from generate_series(0, 49) g;
insert into currency (code, name) select 'C' || chr(65 + g / 26) || chr(65 + g % 26), 'Currency ' || g from generate_series(0, 9) g;
insert into tax_rate (country_id, percent) select 1 + g % 50, 5 + g from generate_series(0, 19) g;
insert into warehouse (name, country_id) select 'Warehouse ' || g, g from generate_series(1, 5) g;
insert into carrier (name) select 'Carrier ' || g from generate_series(1, 8) g;
insert into category (name, parent_id) select 'Category ' || g, null from generate_series(1, 10) g;
insert into category (name, parent_id) select 'Category ' || g, 1 + g % 10 from generate_series(11, 40) g;
insert into brand (name) select 'Brand ' || g from generate_series(1, 30) g;
insert into supplier (name, country_id) select 'Supplier ' || g, 1 + g % 50 from generate_series(1, 50) g;
insert into payment_method (name) values ('card'), ('transfer'), ('wallet'), ('invoice'), ('cash'), ('voucher');
insert into order_status (name) values ('NEW'), ('PAID'), ('PICKED'), ('SHIPPED'), ('DELIVERED'), ('RETURNED'), ('CANCELLED'), ('LOST');
insert into unit (name) select 'unit ' || g from generate_series(1, 10) g;
insert into locale (tag) select 'l' || g from generate_series(1, 10) g;
insert into channel (name) values ('web'), ('app'), ('store'), ('phone'), ('partner');
insert into promo (name, percent_off) select 'Promo ' || g, g % 50 from generate_series(1, 30) g;
insert into role (name) values ('agent'), ('lead'), ('manager'), ('admin'), ('auditor');

insert into customer (email, name, locale_id) select 'customer' || g || '@example.com', 'Customer ' || g, 1 + g % 10
from generate_series(1, 1000) g;
insert into address (customer_id, country_id, line1, city, postcode)
select 1 + g % 1000, 1 + g % 50, g || ' Main Street', 'City ' || g % 97, lpad((g % 99999)::text, 5, '0') from generate_series(1, 1500) g;
insert into customer_note (customer_id, note) select 1 + g * 7 % 1000, 'Note ' || g from generate_series(1, 250) g;

insert into product (sku, name, category_id, brand_id, supplier_id, unit_id)
select 'SKU-' || lpad(g::text, 5, '0'), 'Product ' || g, 1 + g % 40, 1 + g % 30, 1 + g % 50, 1 + g % 10 from generate_series(1, 1000) g;
insert into product_price (product_id, currency_id, cents) select g, 1, 100 + g * 13 % 9900 from generate_series(1, 1000) g;
insert into product_image (product_id, url) select 1 + g * 2 % 1000, 'https://img.example.com/' || g from generate_series(1, 500) g;
insert into inventory (product_id, warehouse_id, on_hand) select p, w, 10 + (p * w) % 90 from generate_series(1, 1000) p, generate_series(1, 2) w;

insert into orders (customer_id, address_id, status_id, channel_id, carrier_id)
select 1 + g % 1000, 1 + g % 1500, 1 + g % 8, 1 + g % 5, 1 + g % 8 from generate_series(1, 1500) g;
insert into order_line (order_id, line, product_id, quantity, cents)
select 1 + g / 2, 1 + g % 2, 1 + g * 7 % 1000, 1 + g % 4, 100 + g % 900 from generate_series(0, 2999) g;
insert into payment (order_id, method_id, cents) select g, 1 + g % 6, 1000 + g from generate_series(1, 1500) g;
insert into shipment (order_id, carrier_id, warehouse_id, tracking) select g, 1 + g % 8, 1 + g % 5, 'TRK' || g from generate_series(1, 1000) g;
insert into shipment_item (shipment_id, order_id, line) select 1 + g / 2 % 1000, 1 + g / 2 % 1000, 1 + g % 2 from generate_series(0, 1499) g;
insert into invoice (order_id, number) select g, 'INV-' || g from generate_series(1, 1000) g;
insert into invoice_line (invoice_id, tax_rate_id, cents) select g, 1 + g % 20, 100 + g from generate_series(1, 1000) g;
insert into refund (payment_id, cents) select g * 10, 100 from generate_series(1, 100) g;
insert into review (product_id, customer_id, stars, body) select 1 + g % 1000, 1 + g * 3 % 1000, 1 + g % 5, 'Review ' || g
from generate_series(1, 500) g;

insert into wishlist (customer_id, name) select 1 + g * 4 % 1000, 'Wishlist ' || g from generate_series(1, 250) g;
insert into wishlist_item (wishlist_id, product_id) select 1 + g % 250, 1 + g * 11 % 1000 from generate_series(0, 499) g;
insert into cart (customer_id) select 1 + g * 5 % 1000 from generate_series(1, 150) g;
insert into cart_item (cart_id, product_id, quantity) select 1 + g % 150, 1 + g * 13 % 1000, 1 from generate_series(0, 299) g;
insert into coupon (promo_id, code) select 1 + g % 30, 'COUPON' || g from generate_series(1, 50) g;
insert into coupon_use (coupon_id, order_id) select 1 + g % 50, 1 + g * 9 % 1500 from generate_series(1, 150) g;
insert into audit_log (entity, entity_id, action) select 'order', g, 'created' from generate_series(1, 500) g;

insert into employee (name, role_id) select 'Employee ' || g, 1 + g % 5 from generate_series(1, 25) g;
insert into ticket (customer_id, employee_id, subject) select 1 + g * 6 % 1000, 1 + g % 25, 'Ticket ' || g from generate_series(1, 150) g;
insert into ticket_message (ticket_id, body) select 1 + g % 150, 'Message ' || g from generate_series(0, 299) g;
