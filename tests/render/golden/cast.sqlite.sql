SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id, ?, _dbrest_t.year, ?, _dbrest_t.available, ?, _dbrest_t.price, ?, json(_dbrest_t.meta))), '[]') AS body, current_setting(?, 1) AS response_headers, current_setting(?, 1) AS response_status 
FROM (SELECT CAST(t."id" AS TEXT) AS "id", CAST(t."year" AS TEXT) AS "year", (CASE WHEN t."available" IS NULL THEN NULL WHEN t."available" THEN 'true' ELSE 'false' END) AS "available", dbrest_cast(t."price", 'int4') AS "price", json(t."meta") AS "meta" 
FROM "books" AS t) AS _dbrest_t
-- params: ["id", "year", "available", "price", "meta", "response.headers", "response.status"]
