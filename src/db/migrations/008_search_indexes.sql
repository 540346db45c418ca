-- Postcode search also looks at where people live now (customer_addresses), which had no index:
-- a district search ("WN3") scanned every address. Same normalised form as properties_postcode.
create index customer_addresses_current_postcode
  on customer_addresses ((replace(postcode, ' ', '')) text_pattern_ops) where to_date is null;
