print("autogit")
