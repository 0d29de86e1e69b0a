SELECT NULL AS total, count(*) AS page_total, coalesce(json_group_array(json_object(?, _dbrest_t.id, ?, _dbrest_t.name, ?, json(_dbrest_t.tags), ?, _dbrest_t.first)), '[]') AS body 
FROM (SELECT t."id" AS "id", (CASE json_type((t."meta" -> ?), ?) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST((t."meta" -> ?) ->> ? AS TEXT) END) AS "name", ((t."meta" -> ?) -> ?) AS "tags", (CASE json_type(t."meta", ?) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(t."meta" ->> ? AS TEXT) END) AS "first" 
FROM "books" AS t) AS _dbrest_t
-- params: ["id", "name", "tags", "first", "$.\"series\"", "$.\"name\"", "$.\"series\"", "$.\"name\"", "$.\"tags\"", "$[0]", "$[#-1]", "$[#-1]"]
