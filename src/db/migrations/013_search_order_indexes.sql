-- Search reads candidates already in display order and stops at the page limit, instead of
-- gathering every match and sorting it: a common surname or a postcode district matches thousands.
--
-- Customers by surname (or business name), lower case and byte-wise, so "smith%" is a range read
-- in the order results are shown.
create index customers_sort_name on customers ((lower(coalesce(surname, business_name)) collate "C"), forenames, id);

-- Postcodes without spaces, byte-wise ("C" collation, so LIKE 'WN3%' is a range scan whatever the
-- database's collation), then street: the order postcode search shows.
create index customer_addresses_current_postcode_order
  on customer_addresses ((replace(postcode, ' ', '') collate "C"), address_line1) where to_date is null;
create index properties_postcode_order
  on properties ((replace(postcode, ' ', '') collate "C"), address_line1);

-- Superseded by the ordered indexes above.
drop index customer_addresses_current_postcode;
