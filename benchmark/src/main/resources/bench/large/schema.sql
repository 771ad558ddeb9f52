-- The benchmark's larger schema: a shop back office of 41 tables with foreign keys and indexes.
-- Lookup tables
create table country (id serial primary key, code char(2) not null unique, name text not null);
create table currency (id serial primary key, code char(3) not null unique, name text not null);
create table tax_rate (id serial primary key, country_id int not null references country (id), percent numeric(5, 2) not null);
create table warehouse (id serial primary key, name text not null unique, country_id int not null references country (id));
create table carrier (id serial primary key, name text not null unique);
create table category (id serial primary key, name text not null unique, parent_id int references category (id));
create table brand (id serial primary key, name text not null unique);
create table supplier (id serial primary key, name text not null unique, country_id int not null references country (id));
create table payment_method (id serial primary key, name text not null unique);
create table order_status (id serial primary key, name text not null unique);
create table unit (id serial primary key, name text not null unique);
create table locale (id serial primary key, tag text not null unique);
create table channel (id serial primary key, name text not null unique);
create table promo (id serial primary key, name text not null, percent_off int not null check (percent_off between 0 and 100));
create table role (id serial primary key, name text not null unique);

-- Customers
create table customer (
  id bigserial primary key, email text not null unique, name text not null, locale_id int references locale (id),
  created_at timestamptz not null default now());
create table address (
  id bigserial primary key, customer_id bigint not null references customer (id), country_id int not null references country (id),
  line1 text not null, city text not null, postcode text not null);
create index address_customer on address (customer_id);
create table customer_note (id bigserial primary key, customer_id bigint not null references customer (id), note text not null);
create index customer_note_customer on customer_note (customer_id);

-- Catalogue
create table product (
  id bigserial primary key, sku text not null unique, name text not null, category_id int not null references category (id),
  brand_id int not null references brand (id), supplier_id int not null references supplier (id), unit_id int references unit (id));
create index product_category on product (category_id);
create index product_brand on product (brand_id);
create table product_price (
  id bigserial primary key, product_id bigint not null references product (id), currency_id int not null references currency (id),
  cents int not null check (cents >= 0), unique (product_id, currency_id));
create table product_image (id bigserial primary key, product_id bigint not null references product (id), url text not null);
create index product_image_product on product_image (product_id);
create table inventory (
  product_id bigint not null references product (id), warehouse_id int not null references warehouse (id),
  on_hand int not null check (on_hand >= 0), primary key (product_id, warehouse_id));
create index inventory_warehouse on inventory (warehouse_id);

-- Orders
create table orders (
  id bigserial primary key, customer_id bigint not null references customer (id), address_id bigint references address (id),
  status_id int not null references order_status (id), channel_id int not null references channel (id),
  carrier_id int references carrier (id), placed_at timestamptz not null default now());
create index orders_customer on orders (customer_id);
create index orders_status on orders (status_id);
create table order_line (
  order_id bigint not null references orders (id) on delete cascade, line int not null,
  product_id bigint not null references product (id), quantity int not null check (quantity > 0), cents int not null,
  primary key (order_id, line));
create index order_line_product on order_line (product_id);
create table payment (
  id bigserial primary key, order_id bigint not null references orders (id), method_id int not null references payment_method (id),
  cents int not null, paid_at timestamptz not null default now());
create index payment_order on payment (order_id);
create table shipment (
  id bigserial primary key, order_id bigint not null references orders (id), carrier_id int not null references carrier (id),
  warehouse_id int not null references warehouse (id), tracking text);
create index shipment_order on shipment (order_id);
create table shipment_item (
  id bigserial primary key, shipment_id bigint not null references shipment (id), order_id bigint not null,
  line int not null, foreign key (order_id, line) references order_line (order_id, line));
create index shipment_item_shipment on shipment_item (shipment_id);
create table invoice (id bigserial primary key, order_id bigint not null unique references orders (id), number text not null unique);
create table invoice_line (
  id bigserial primary key, invoice_id bigint not null references invoice (id), tax_rate_id int references tax_rate (id),
  cents int not null);
create index invoice_line_invoice on invoice_line (invoice_id);
create table refund (id bigserial primary key, payment_id bigint not null references payment (id), cents int not null);
create table review (
  id bigserial primary key, product_id bigint not null references product (id), customer_id bigint not null references customer (id),
  stars int not null check (stars between 1 and 5), body text);
create index review_product on review (product_id);

-- Engagement
create table wishlist (id bigserial primary key, customer_id bigint not null references customer (id), name text not null);
create table wishlist_item (
  wishlist_id bigint not null references wishlist (id), product_id bigint not null references product (id),
  primary key (wishlist_id, product_id));
create table cart (id bigserial primary key, customer_id bigint references customer (id), created_at timestamptz not null default now());
create table cart_item (
  cart_id bigint not null references cart (id), product_id bigint not null references product (id), quantity int not null,
  primary key (cart_id, product_id));
create table coupon (id bigserial primary key, promo_id int not null references promo (id), code text not null unique);
create table coupon_use (
  id bigserial primary key, coupon_id bigint not null references coupon (id), order_id bigint not null references orders (id));
create table audit_log (id bigserial primary key, entity text not null, entity_id bigint not null, action text not null,
  at timestamptz not null default now());
create index audit_log_entity on audit_log (entity, entity_id);

-- Support
create table employee (id serial primary key, name text not null, role_id int not null references role (id));
create table ticket (
  id bigserial primary key, customer_id bigint not null references customer (id), employee_id int references employee (id),
  subject text not null, open boolean not null default true);
create index ticket_customer on ticket (customer_id);
create table ticket_message (id bigserial primary key, ticket_id bigint not null references ticket (id), body text not null);
create index ticket_message_ticket on ticket_message (ticket_id);
